// "Add to album" from the viewer: pick one of the user's albums, or make a new one with the photo.
import { useEffect, useState } from 'react';
import { Pressable, ScrollView, Text, TextInput, View } from 'react-native';

import type { Album } from '../api/types';
import { allAlbums } from '../screens/AlbumsScreen';
import { problemText } from '../screens/SignInScreen';
import { useApp } from '../state/AppContext';
import { Button } from './Button';
import { colors, ui } from './theme';

/** Only albums the user may add to: their own, or shared ones where they contribute. */
const CAN_ADD = new Set<Album['role']>(['owner', 'admin', 'contributor']);

export function AlbumPicker({ photoId, onDone }: { photoId: string; onDone: (message: string) => void }) {
  const { api } = useApp();
  const [albums, setAlbums] = useState<Album[] | null>(null);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    allAlbums(api!).then(
      (found) => live && setAlbums(found.filter((a) => CAN_ADD.has(a.role))),
      (err) => live && setError(problemText(err)),
    );
    return () => {
      live = false;
    };
  }, [api]);

  async function add(album: Album) {
    setBusy(true);
    try {
      const res = await api!.addToAlbum(album.id, [photoId]);
      if (res.errors.length) setError(`Not added to ${album.name} (${res.errors[0].code})`);
      else onDone(res.already.length ? `Already in ${album.name}` : `Added to ${album.name}`);
    } catch (err) {
      setError(problemText(err));
    } finally {
      setBusy(false);
    }
  }
  async function create() {
    setBusy(true);
    try {
      const album = await api!.createAlbum(name.trim(), [photoId]);
      onDone(`Added to ${album.name}`);
    } catch (err) {
      setError(problemText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <View testID="album-picker" style={{ gap: 8 }}>
      {error ? <Text style={ui.error}>{error}</Text> : null}
      <ScrollView style={{ maxHeight: 160 }}>
        {(albums ?? []).map((a) => (
          <Pressable key={a.id} testID={`pick-${a.id}`} accessibilityRole="button" disabled={busy} onPress={() => add(a)} style={{ padding: 8 }}>
            <Text style={ui.text}>{a.name}</Text>
          </Pressable>
        ))}
      </ScrollView>
      <View style={ui.row}>
        <TextInput
          testID="new-album-name"
          style={[ui.input, { flex: 1 }]}
          placeholder="New album"
          placeholderTextColor={colors.dim}
          value={name}
          onChangeText={setName}
        />
        <Button testID="new-album-create" title="Create" disabled={busy || !name.trim()} onPress={create} />
      </View>
      <Button ghost testID="album-picker-cancel" title="Cancel" onPress={() => onDone('')} />
    </View>
  );
}
