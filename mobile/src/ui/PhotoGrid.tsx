// A paged grid of photos by month, the timeline's look, for any feed that pages by cursor
// (an album's photos, search results). Tapping a photo opens the viewer on what is loaded.
import { useCallback, useEffect, useRef, useState } from 'react';
import { ActivityIndicator, FlatList, Text, useWindowDimensions, View } from 'react-native';

import type { Photo, PhotoPage } from '../api/types';
import { problemText } from '../screens/SignInScreen';
import { toRows } from '../screens/timelineRows';
import { colors, ui } from './theme';
import { Thumb } from './Thumb';

export function PhotoGrid(props: {
  load: (cursor: string | null) => Promise<PhotoPage>;
  onOpen: (photos: Photo[], index: number) => void;
  empty: string;
  testID: string;
}) {
  const { load, onOpen } = props;
  const { width } = useWindowDimensions();
  const columns = Math.max(3, Math.floor(width / 120));
  const [photos, setPhotos] = useState<Photo[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const busy = useRef(false);

  const apply = useCallback((from: string | null, page: PhotoPage) => {
    setPhotos((old) => {
      const kept = from === null ? [] : old;
      const known = new Set(kept.map((p) => p.id));
      return [...kept, ...page.items.filter((p) => !known.has(p.id))];
    });
    setCursor(page.next_cursor);
    setError(null);
  }, []);

  const fetchPage = useCallback(
    async (from: string | null) => {
      busy.current = true;
      try {
        apply(from, await load(from));
      } catch (err) {
        setError(problemText(err));
      } finally {
        busy.current = false;
        setLoading(false);
      }
    },
    [apply, load],
  );

  useEffect(() => {
    // The first page; nothing changes until it answers (or after the grid is gone).
    let live = true;
    busy.current = true;
    load(null)
      .then(
        (page) => live && apply(null, page),
        (err) => live && setError(problemText(err)),
      )
      .finally(() => {
        busy.current = false;
        if (live) setLoading(false);
      });
    return () => {
      live = false;
    };
  }, [apply, load]);

  const more = () => {
    if (!cursor || busy.current) return;
    setLoading(true);
    void fetchPage(cursor);
  };

  const size = width / columns;
  return (
    <View style={{ flex: 1 }} testID={props.testID}>
      {loading ? <View testID={`${props.testID}-loading`} /> : null}
      {error ? <Text style={[ui.error, { padding: 8 }]}>{error}</Text> : null}
      <FlatList
        testID={`${props.testID}-list`}
        data={toRows(photos, columns)}
        keyExtractor={(r) => r.key}
        onEndReachedThreshold={1.5}
        onEndReached={more}
        ListEmptyComponent={
          loading ? <ActivityIndicator color={colors.accent} style={{ margin: 24 }} /> : error ? null : <Text style={[ui.dim, { padding: 16 }]}>{props.empty}</Text>
        }
        renderItem={({ item }) =>
          item.kind === 'header' ? (
            <Text style={[ui.text, { padding: 8, fontWeight: '600' }]}>{item.label}</Text>
          ) : (
            <View style={{ flexDirection: 'row' }}>
              {item.photos.map((p) => (
                <Thumb key={p.id} photo={p} size={size} onPress={() => onOpen(photos, photos.indexOf(p))} />
              ))}
            </View>
          )
        }
      />
    </View>
  );
}
