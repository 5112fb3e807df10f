// Share links for an album the user owns: make one (expiry in days, password, allow download),
// send its URL through the system Share sheet, revoke it.
import { useCallback, useEffect, useState } from 'react';
import { Share, Switch, Text, TextInput, View } from 'react-native';

import type { Album, ShareLink } from '../api/types';
import { useApp } from '../state/AppContext';
import { Button } from '../ui/Button';
import { colors, ui } from '../ui/theme';
import { problemText } from './SignInScreen';

/** `days` from now as the contract's ISO time, or undefined for a link that never expires. */
export function expiryFrom(days: string, now: number = Date.now()): string | undefined {
  const n = Number(days.trim());
  if (!days.trim() || !Number.isFinite(n) || n <= 0) return undefined;
  return new Date(now + n * 86_400_000).toISOString();
}

function linkText(l: ShareLink): string {
  const parts = [l.expired ? 'expired' : l.expires_at ? `until ${l.expires_at.slice(0, 10)}` : 'no expiry'];
  if (l.has_password) parts.push('password');
  parts.push(l.allow_download ? 'download allowed' : 'no download');
  return parts.join(' · ');
}

export function ShareLinks({ album }: { album: Album }) {
  const { api } = useApp();
  const [links, setLinks] = useState<ShareLink[]>([]);
  const [days, setDays] = useState('');
  const [password, setPassword] = useState('');
  const [download, setDownload] = useState(true);
  const [error, setError] = useState<string | null>(null);

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

  return (
    <View testID="share-links" style={{ gap: 6, marginTop: 16 }}>
      <Text style={ui.dim}>Share links</Text>
      {error ? <Text style={ui.error} testID="links-error">{error}</Text> : null}
      {links.map((l) => (
        <View key={l.id} testID={`link-${l.id}`} style={{ gap: 4 }}>
          <Text style={ui.text}>{linkText(l)}</Text>
          <View style={{ flexDirection: 'row', gap: 4 }}>
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
