// An album's people and roles. The owner or an admin adds someone of their family or by email,
// changes a role and removes; any member can leave; a viewer or contributor sees no add/remove.
// The owner also makes, shares and revokes share links (ShareLinks).
import { useCallback, useEffect, useState } from 'react';
import { ScrollView, Text, TextInput, View } from 'react-native';

import type { Album, AlbumMember, Family, MemberRole } from '../api/types';
import { useApp } from '../state/AppContext';
import { Button } from '../ui/Button';
import { colors, ui } from '../ui/theme';
import { ShareLinks } from './ShareLinks';
import { problemText } from './SignInScreen';

const ROLES: MemberRole[] = ['viewer', 'contributor', 'admin'];

function RolePicker({ value, onChange, testID }: { value: MemberRole; onChange: (r: MemberRole) => void; testID: string }) {
  return (
    <View style={{ flexDirection: 'row', gap: 4 }}>
      {ROLES.map((r) => (
        <Button key={r} ghost={r !== value} testID={`${testID}-${r}`} title={r} onPress={() => onChange(r)} />
      ))}
    </View>
  );
}

export function ShareScreen({ album, onBack, onLeft }: { album: Album; onBack: () => void; onLeft: () => void }) {
  const { api, user } = useApp();
  const manages = album.role === 'owner' || album.role === 'admin';
  const [members, setMembers] = useState<AlbumMember[]>([]);
  const [family, setFamily] = useState<Family | null>(null);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<MemberRole>('viewer');
  const [error, setError] = useState<string | null>(null);

  const reload = useCallback(
    () =>
      api!.albumMembers(album.id).then(
        (found) => {
          setMembers(found);
          setError(null);
        },
        (err) => setError(problemText(err)),
      ),
    [api, album.id],
  );

  useEffect(() => {
    void reload();
    if (manages) api!.family().then(setFamily, () => setFamily(null));
  }, [reload, manages, api]);

  const act = async (what: () => Promise<unknown>) => {
    try {
      await what();
      await reload();
    } catch (err) {
      setError(problemText(err));
    }
  };

  const inAlbum = new Set([album.owner.id, ...members.map((m) => m.user.id)]);
  const candidates = (family?.members ?? []).filter((m) => !inAlbum.has(m.user.id));

  return (
    <ScrollView style={ui.screen} contentContainerStyle={ui.pad} testID="share-screen">
      <View style={ui.row}>
        <Text style={ui.title}>{`Share “${album.name}”`}</Text>
        <Button ghost testID="share-back" title="Back" onPress={onBack} />
      </View>
      {error ? <Text style={ui.error} testID="share-error">{error}</Text> : null}
      <Text style={ui.dim}>People</Text>
      <Text style={ui.text}>{`${album.owner.display_name} · owner`}</Text>
      {members.map((m) => (
        <View key={m.user.id} testID={`member-${m.user.id}`} style={{ gap: 4, paddingVertical: 4 }}>
          <Text style={ui.text}>{`${m.user.display_name} · ${m.role}`}</Text>
          {manages ? (
            <View style={{ flexDirection: 'row', gap: 4, flexWrap: 'wrap' }}>
              <RolePicker testID={`role-${m.user.id}`} value={m.role} onChange={(r) => void act(() => api!.setAlbumMemberRole(album.id, m.user.id, r))} />
              <Button ghost testID={`remove-${m.user.id}`} title="Remove" onPress={() => void act(() => api!.removeAlbumMember(album.id, m.user.id))} />
            </View>
          ) : null}
        </View>
      ))}
      {members.length === 0 ? <Text style={ui.dim}>Not shared with anyone yet.</Text> : null}
      {manages ? (
        <View testID="share-add" style={{ gap: 6, marginTop: 12 }}>
          <Text style={ui.dim}>Add someone as</Text>
          <RolePicker testID="new-role" value={role} onChange={setRole} />
          {candidates.map((m) => (
            <Button key={m.user.id} testID={`add-${m.user.id}`} title={`Add ${m.user.display_name}`} onPress={() => void act(() => api!.addAlbumMember(album.id, { user_id: m.user.id }, role))} />
          ))}
          <TextInput
            testID="share-email"
            value={email}
            onChangeText={setEmail}
            placeholder="or an email address"
            placeholderTextColor={colors.dim}
            autoCapitalize="none"
            keyboardType="email-address"
            style={ui.input}
          />
          <Button
            testID="share-email-add"
            title="Add by email"
            disabled={!email.trim()}
            onPress={() =>
              void act(async () => {
                await api!.addAlbumMember(album.id, { email: email.trim() }, role);
                setEmail('');
              })
            }
          />
        </View>
      ) : null}
      {album.role !== 'owner' && user ? (
        <Button
          testID="share-leave"
          title="Leave this album"
          onPress={() =>
            void api!.removeAlbumMember(album.id, user.id).then(onLeft, (err) => setError(problemText(err)))
          }
        />
      ) : null}
      {album.role === 'owner' ? <ShareLinks album={album} /> : null}
    </ScrollView>
  );
}
