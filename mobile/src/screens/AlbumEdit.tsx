// Rename an album (owner or admin) or delete it (owner; its photos stay in the library). A delete
// asks once more before it goes to the server; a refused name shows the server's code.
import { useState } from 'react';
import { Text, TextInput, View } from 'react-native';

import type { Album } from '../api/types';
import { useApp } from '../state/AppContext';
import { Button } from '../ui/Button';
import { colors, ui } from '../ui/theme';
import { problemText } from './SignInScreen';

export function AlbumEdit({ album, onSaved, onDeleted, onClose }: { album: Album; onSaved: (album: Album) => void; onDeleted: () => void; onClose: () => void }) {
  const { api } = useApp();
  const [name, setName] = useState(album.name);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const save = async () => {
    try {
      const updated = await api!.editAlbum(album.id, { name: name.trim() });
      onSaved({ ...album, ...updated });
    } catch (err) {
      setError(problemText(err));
    }
  };
  const remove = async () => {
    try {
      await api!.deleteAlbum(album.id);
      onDeleted();
    } catch (err) {
      setConfirming(false);
      setError(problemText(err));
    }
  };

  return (
    <View testID="album-edit" style={[ui.pad, { paddingTop: 0 }]}>
      {error ? <Text style={ui.error} testID="album-edit-error">{error}</Text> : null}
      <TextInput testID="album-name" value={name} onChangeText={setName} placeholder="album name" placeholderTextColor={colors.dim} style={ui.input} />
      <View style={ui.row}>
        <Button testID="album-rename" title="Save name" disabled={!name.trim() || name.trim() === album.name} onPress={() => void save()} />
        {album.role === 'owner' ? (
          confirming ? (
            <Button testID="album-delete-confirm" title="Really delete? Photos stay" onPress={() => void remove()} />
          ) : (
            <Button ghost testID="album-delete" title="Delete album" onPress={() => setConfirming(true)} />
          )
        ) : null}
        <Button ghost testID="album-edit-close" title="Done" onPress={onClose} />
      </View>
    </View>
  );
}
