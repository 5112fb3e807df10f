// The family in Settings: its members; found one when in none; the owner invites by email (a
// single-use link goes out by email), revokes a pending invitation and removes a member; a member
// leaves. A refusal shows the server's message and code and changes nothing.
import { useCallback, useEffect, useRef, useState } from 'react';
import { Text, TextInput, View } from 'react-native';

import type { Family } from '../api/types';
import { useApp } from '../state/AppContext';
import { Button } from '../ui/Button';
import { colors, ui } from '../ui/theme';
import { problemText } from './SignInScreen';

export function FamilySection() {
  const { api, user } = useApp();
  const [family, setFamily] = useState<Family | null | undefined>(undefined);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [leaving, setLeaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // Only the latest read shows: an older answer arriving late must not bring back a removed member.
  const reads = useRef(0);
  const reload = useCallback(() => {
    const n = ++reads.current;
    return api!.family().then(
      (f) => {
        if (n !== reads.current) return;
        setFamily(f);
        setError(null);
      },
      (err) => n === reads.current && setError(problemText(err)),
    );
  }, [api]);

  useEffect(() => {
    void reload();
  }, [reload]);

  const act = async (what: () => Promise<unknown>) => {
    try {
      await what();
      setError(null);
      await reload();
    } catch (err) {
      setError(problemText(err));
    }
  };

  const owner = !!family && !!user && (family.owner_id ? family.owner_id === user.id : family.role === 'owner');

  return (
    <View testID="family" style={{ gap: 6, marginTop: 8 }}>
      <Text style={ui.dim}>Family</Text>
      {error ? <Text style={ui.error} testID="family-error">{error}</Text> : null}
      {family === null ? (
        <>
          <Text style={ui.dim}>You are in no family yet. Found one and invite the others; an invitation link joins.</Text>
          <TextInput testID="family-name" value={name} onChangeText={setName} placeholder="family name" placeholderTextColor={colors.dim} style={ui.input} />
          <Button testID="family-create" title="Found a family" disabled={!name.trim()} onPress={() => void act(() => api!.createFamily(name.trim()).then(() => setName('')))} />
        </>
      ) : null}
      {family ? (
        <>
          <Text style={ui.text} testID="family-title">{`${family.name}${owner ? ' · you own it' : ''}`}</Text>
          {family.members.map((m) => (
            <View key={m.user.id} testID={`family-member-${m.user.id}`} style={ui.row}>
              <Text style={[ui.text, { flexShrink: 1 }]}>{`${m.user.display_name} · ${m.role}${m.user.id === user?.id ? ' (you)' : ''}`}</Text>
              {owner && m.user.id !== user?.id ? (
                <Button ghost testID={`family-remove-${m.user.id}`} title="Remove" onPress={() => void act(() => api!.removeFamilyMember(m.user.id))} />
              ) : null}
            </View>
          ))}
          {(family.invites ?? []).map((inv) => (
            <View key={inv.id} testID={`family-invite-${inv.id}`} style={ui.row}>
              <Text style={[ui.dim, { flexShrink: 1 }]}>{`${inv.email} · invited, until ${inv.expires_at.slice(0, 10)}`}</Text>
              <Button ghost testID={`family-revoke-${inv.id}`} title="Revoke" onPress={() => void act(() => api!.revokeInvite(inv.id))} />
            </View>
          ))}
          {owner ? (
            <>
              <TextInput
                testID="family-invite-email"
                value={email}
                onChangeText={setEmail}
                placeholder="invite by email"
                placeholderTextColor={colors.dim}
                autoCapitalize="none"
                keyboardType="email-address"
                style={ui.input}
              />
              <Button testID="family-invite" title="Send invitation" disabled={!email.trim()} onPress={() => void act(() => api!.inviteToFamily(email.trim()).then(() => setEmail('')))} />
            </>
          ) : leaving ? (
            <Button testID="family-leave-confirm" title="Really leave the family?" onPress={() => void act(() => api!.removeFamilyMember(user!.id)).then(() => setLeaving(false))} />
          ) : (
            <Button ghost testID="family-leave" title="Leave the family" onPress={() => setLeaving(true)} />
          )}
        </>
      ) : null}
    </View>
  );
}
