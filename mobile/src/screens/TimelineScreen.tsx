import { useCallback, useEffect, useRef, useState } from 'react';
import { ActivityIndicator, FlatList, RefreshControl, Text, useWindowDimensions, View } from 'react-native';

import type { Photo } from '../api/types';
import { syncChanges } from '../library/photoCache';
import { useApp } from '../state/AppContext';
import { colors, ui } from '../ui/theme';
import { Thumb } from '../ui/Thumb';
import { problemText } from './SignInScreen';
import { toRows } from './timelineRows';

function merge(a: Photo[], b: Photo[]): Photo[] {
  const seen = new Map(a.map((p) => [p.id, p]));
  for (const p of b) seen.set(p.id, p);
  return [...seen.values()].sort((x, y) => (x.taken_at === y.taken_at ? (x.id < y.id ? 1 : -1) : x.taken_at < y.taken_at ? 1 : -1));
}

export function TimelineScreen({ onOpen }: { onOpen: (photos: Photo[], index: number) => void }) {
  const { api, cache } = useApp();
  const { width } = useWindowDimensions();
  const columns = Math.max(3, Math.floor(width / 120));
  const [photos, setPhotos] = useState<Photo[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [end, setEnd] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const busy = useRef(false);
  const withPartners = useRef(false);

  const loadPage = useCallback(
    async (from: string | null) => {
      if (!api || busy.current) return;
      busy.current = true;
      setLoading(true);
      try {
        // Partners' photos join the timeline when any "show in my timeline" switch is on. The
        // switch is re-read beside the first page (not before it); only when it changed is the
        // first page asked again, so a refresh costs one round trip as before.
        let page;
        if (from === null) {
          const asked = withPartners.current;
          const [first, merged] = await Promise.all([
            api.photos(null, 60, asked),
            api.partners().then((p) => p.shared_with_me.some((s) => s.in_timeline), () => asked),
          ]);
          withPartners.current = merged;
          page = merged === asked ? first : await api.photos(null, 60, merged);
        } else {
          page = await api.photos(from, 60, withPartners.current);
        }
        setPhotos((old) => (from === null ? merge([], page.items) : merge(old, page.items)));
        cache.upsert(page.items);
        await cache.save();
        setCursor(page.next_cursor);
        setEnd(page.next_cursor === null);
        setError(null);
      } catch (err) {
        setError(problemText(err));
      } finally {
        busy.current = false;
        setLoading(false);
      }
    },
    [api, cache],
  );

  const refresh = useCallback(async () => {
    if (api) {
      try {
        await syncChanges(api, cache);
      } catch {
        // the first page below says what is wrong
      }
    }
    await loadPage(null);
  }, [api, cache, loadPage]);

  useEffect(() => {
    void (async () => {
      const cached = await cache.load();
      if (cached.length) setPhotos(cached);
      await refresh();
    })();
  }, [cache, refresh]);

  const size = width / columns;
  const rows = toRows(photos, columns);
  return (
    <View style={ui.screen} testID="timeline">
      {loading ? <View testID="timeline-loading" /> : null}
      {error ? <Text style={[ui.error, { padding: 8 }]}>{error}</Text> : null}
      <FlatList
        testID="timeline-list"
        data={rows}
        keyExtractor={(r) => r.key}
        refreshControl={<RefreshControl refreshing={loading && photos.length > 0} onRefresh={refresh} />}
        onEndReachedThreshold={1.5}
        onEndReached={() => {
          if (!end && cursor) void loadPage(cursor);
        }}
        ListEmptyComponent={
          loading ? <ActivityIndicator color={colors.accent} style={{ margin: 24 }} /> : <Text style={[ui.dim, { padding: 16 }]}>No photos yet. Back some up from the Backup tab.</Text>
        }
        renderItem={({ item }) =>
          item.kind === 'header' ? (
            <Text style={[ui.text, { padding: 8, fontWeight: '600' }]} testID="month-header">
              {item.label}
            </Text>
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
