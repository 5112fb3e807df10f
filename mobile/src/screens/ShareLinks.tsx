// Share links for an album the user owns: make one (expiry in days, password, allow download),
// edit it (LinkEditor), send its URL through the system Share sheet, revoke it.
import { useCallback, useEffect, useState } from 'react';
import { Share, Switch, Text, TextInput, View } from 'react-native';

import type { Album, LinkEdit, ShareLink } from '../api/types';
import { useApp } from '../state/AppContext';
import { Button } from '../ui/Button';
import { colors, ui } from '../ui/theme';
import { expiryFrom } from './expiry';
import { LinkEditor } from './LinkEditor';
import { problemText } from './SignInScreen';

export { expiryFrom };

function linkText(l: ShareLink): string {
  const parts = [l.expired ? 'expired' : l.expires_at ? `until ${l.expires_at.slice(0, 10)}` : 'no expiry'];
  if (l.has_password) parts.push('password');
  parts.push(l.allow_download ? 'download allowed' : 'no download');
  if (l.allow_upload) parts.push('upload allowed');
  if (l.show_metadata === false) parts.push('no details');
  return parts.join(' · ');
}

export function ShareLinks({ album }: { album: Album }) {
  const { api } = useApp();
  const [links, setLinks] = useState<ShareLink[]>([]);
  const [days, setDays] = useState('');
  const [password, setPassword] = useState('');
  const [download, setDownload] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);

  const reload = useCallback(
    () =>
      api!.links().then(
        (all) => setLinks(all.filter((l) => l.album_id === album.id)),
        (err) => setError(problemText(err)),
      ),
    [api, album.id],
  );

  useEffect(() => {
    void reload();
  }, [reload]);

  const create = async () => {
    try {
      const expires = expiryFrom(days);
      await api!.createLink({ album_id: album.id, allow_download: download, ...(expires ? { expires_at: expires } : {}), ...(password ? { password } : {}) });
      setPassword('');
      setDays('');
      setError(null);
      await reload();
    } catch (err) {
      setError(problemText(err));
    }
  };

  const save = async (id: string, edit: LinkEdit) => {
    try {
      if (Object.keys(edit).length) await api!.editLink(id, edit);
      // The editor closes on the link as the server now has it.
      await reload();
      setEditing(null);
      setError(null);
    } catch (err) {
      setError(problemText(err));
    }
  };

  return (
    <View testID="share-links" style={{ gap: 6, marginTop: 16 }}>
      <Text style={ui.dim}>Share links</Text>
      {error ? <Text style={ui.error} testID="links-error">{error}</Text> : null}
      {links.map((l) => (
        <View key={l.id} testID={`link-${l.id}`} style={{ gap: 4 }}>
          <Text style={ui.text} testID={`link-text-${l.id}`}>
            {linkText(l)}
          </Text>
          {editing === l.id ? <LinkEditor link={l} onSave={(edit) => void save(l.id, edit)} onCancel={() => setEditing(null)} /> : null}
          <View style={{ flexDirection: 'row', gap: 4 }}>
            {editing !== l.id ? <Button ghost testID={`link-edit-${l.id}`} title="Edit" onPress={() => setEditing(l.id)} /> : null}
            <Button testID={`link-share-${l.id}`} title="Send link" onPress={() => void Share.share({ message: l.url, url: l.url })} />
            <Button ghost testID={`link-revoke-${l.id}`} title="Revoke" onPress={() => void api!.revokeLink(l.id).then(reload, (err) => setError(problemText(err)))} />
          </View>
        </View>
      ))}
      <TextInput testID="link-days" value={days} onChangeText={setDays} placeholder="expires in days (empty: never)" placeholderTextColor={colors.dim} keyboardType="number-pad" style={ui.input} />
      <TextInput testID="link-password" value={password} onChangeText={setPassword} placeholder="password (optional)" placeholderTextColor={colors.dim} secureTextEntry style={ui.input} />
      <View style={ui.row}>
        <Text style={ui.text}>Allow download</Text>
        <Switch testID="link-download" value={download} onValueChange={setDownload} />
      </View>
      <Button testID="link-create" title="Create link" onPress={() => void create()} />
    </View>
  );
}
