// The albums the user owns or that are shared with them: cover, name, count. One opens into the
// same grid and viewer the timeline uses.
import { Image } from 'expo-image';
import { useCallback, useEffect, useState } from 'react';
import { FlatList, Pressable, RefreshControl, Text, View } from 'react-native';

import type { ApiClient } from '../api/client';
import type { Album, AlbumPage, Photo } from '../api/types';
import { useApp } from '../state/AppContext';
import { Button } from '../ui/Button';
import { PhotoGrid } from '../ui/PhotoGrid';
import { colors, ui } from '../ui/theme';
import { AlbumEdit } from './AlbumEdit';
import { ShareScreen } from './ShareScreen';
import { problemText } from './SignInScreen';

export function countText(n: number): string {
  return n === 1 ? '1 photo' : `${n} photos`;
}

function AlbumRow({ album, onPress }: { album: Album; onPress: () => void }) {
  return (
    <Pressable testID={`album-${album.id}`} accessibilityRole="button" onPress={onPress} style={[ui.row, { padding: 8, justifyContent: 'flex-start', gap: 12 }]}>
      <Image
        testID={album.cover_thumb_url ? `album-cover-${album.id}` : undefined}
        source={album.cover_thumb_url ? { uri: album.cover_thumb_url } : null}
        style={{ width: 64, height: 64, borderRadius: 6, backgroundColor: colors.card }}
        contentFit="cover"
      />
      <View style={{ flex: 1 }}>
        <Text style={ui.text}>{album.name}</Text>
        <Text style={ui.dim}>
          {countText(album.photo_count)}
          {album.role !== 'owner' ? ` · Shared by ${album.owner.display_name} · you: ${album.role}` : album.shared ? ' · shared' : ''}
        </Text>
      </View>
    </Pressable>
  );
}

/** Every album the user sees, all pages of `GET /albums`. */
export async function allAlbums(api: ApiClient): Promise<Album[]> {
  const all: Album[] = [];
  let cursor: string | null = null;
  do {
    const page: AlbumPage = await api.albums(cursor);
    all.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return all;
}

function AlbumList({ onSelect }: { onSelect: (album: Album) => void }) {
  const { api } = useApp();
  const [albums, setAlbums] = useState<Album[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);

  const fetchAll = useCallback(
    (live: () => boolean = () => true) =>
      allAlbums(api!)
        .then(
          (found) => {
            if (!live()) return;
            setAlbums(found);
            setError(null);
          },
          (err) => live() && setError(problemText(err)),
        )
        .finally(() => live() && setLoading(false)),
    [api],
  );

  useEffect(() => {
    let live = true;
    void fetchAll(() => live);
    return () => {
      live = false;
    };
  }, [fetchAll]);

  return (
    <View style={ui.screen} testID="albums">
      {error ? <Text style={[ui.error, { padding: 8 }]}>{error}</Text> : null}
      <FlatList
        data={albums}
        keyExtractor={(a) => a.id}
        refreshControl={
          <RefreshControl
            refreshing={loading && albums.length > 0}
            onRefresh={() => {
              setLoading(true);
              void fetchAll();
            }}
          />
        }
        ListEmptyComponent={loading || error ? null : <Text style={[ui.dim, { padding: 16 }]}>No albums yet. Open a photo and add it to a new album.</Text>}
        renderItem={({ item }) => <AlbumRow album={item} onPress={() => onSelect(item)} />}
      />
    </View>
  );
}

function AlbumView(props: { album: Album; onBack: () => void; onChanged: (album: Album | null) => void; onOpen: (photos: Photo[], index: number) => void }) {
  const { album, onBack, onOpen } = props;
  const { api } = useApp();
  const [sharing, setSharing] = useState(false);
  const [editing, setEditing] = useState(false);
  const load = useCallback((cursor: string | null) => api!.albumPhotos(album.id, cursor), [api, album.id]);
  if (sharing) return <ShareScreen album={album} onBack={() => setSharing(false)} onLeft={onBack} />;
  const edits = album.role === 'owner' || album.role === 'admin';
  return (
    <View style={ui.screen} testID="album-view">
      <View style={[ui.row, { padding: 8 }]}>
        <Text style={[ui.title, { flexShrink: 1 }]} testID="album-title">
          {album.name}
        </Text>
        {edits && !editing ? <Button ghost testID="album-edit-open" title="Edit" onPress={() => setEditing(true)} /> : null}
        <Button ghost testID="album-share" title={edits ? 'Share' : 'People'} onPress={() => setSharing(true)} />
        <Button ghost testID="album-back" title="Albums" onPress={onBack} />
      </View>
      {editing ? (
        <AlbumEdit
          album={album}
          onSaved={(updated) => {
            setEditing(false);
            props.onChanged(updated);
          }}
          onDeleted={() => props.onChanged(null)}
          onClose={() => setEditing(false)}
        />
      ) : null}
      <PhotoGrid testID="album-grid" load={load} onOpen={onOpen} empty="No photos in this album yet. Add some from the viewer." />
    </View>
  );
}

/** The album list, or the open album (Root keeps which one, so the viewer comes back to it). */
export function AlbumsScreen(props: { open: Album | null; onSelect: (album: Album | null) => void; onOpen: (photos: Photo[], index: number) => void }) {
  if (props.open) return <AlbumView key={props.open.id} album={props.open} onBack={() => props.onSelect(null)} onChanged={props.onSelect} onOpen={props.onOpen} />;
  return <AlbumList onSelect={props.onSelect} />;
}
