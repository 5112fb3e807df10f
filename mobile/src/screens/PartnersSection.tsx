// Partner sharing in Settings: share my whole library with someone of my family, stop, and the
// libraries shared with me with their "show in my timeline" switch.
import { useCallback, useEffect, useState } from 'react';
import { Switch, Text, View } from 'react-native';

import type { Family, Partners } from '../api/types';
import { useApp } from '../state/AppContext';
import { Button } from '../ui/Button';
import { ui } from '../ui/theme';
import { problemText } from './SignInScreen';

export function PartnersSection() {
  const { api, user } = useApp();
  const [partners, setPartners] = useState<Partners | null>(null);
  const [family, setFamily] = useState<Family | null>(null);
  const [error, setError] = useState<string | null>(null);

  const reload = useCallback(
    () =>
      Promise.all([api!.partners(), api!.family()]).then(
        ([p, f]) => {
          setPartners(p);
          setFamily(f);
          setError(null);
        },
        (err) => setError(problemText(err)),
      ),
    [api],
  );

  useEffect(() => {
    void reload();
  }, [reload]);

  const act = (what: () => Promise<unknown>) => void what().then(reload, (err) => setError(problemText(err)));
  const sharing = new Set((partners?.shared_by_me ?? []).map((p) => p.user.id));
  const others = (family?.members ?? []).filter((m) => m.user.id !== user?.id && !sharing.has(m.user.id));

  return (
    <View testID="partners" style={{ gap: 6 }}>
      <Text style={ui.title}>Partners</Text>
      {error ? <Text style={ui.error}>{error}</Text> : null}
      <Text style={ui.dim}>My library is shared with</Text>
      {(partners?.shared_by_me ?? []).map((p) => (
        <View key={p.user.id} style={ui.row}>
          <Text style={ui.text}>{p.user.display_name}</Text>
          <Button ghost testID={`partner-stop-${p.user.id}`} title="Stop" onPress={() => act(() => api!.stopPartner(p.user.id))} />
        </View>
      ))}
      {partners && partners.shared_by_me.length === 0 ? <Text style={ui.dim}>Nobody.</Text> : null}
      {others.map((m) => (
        <Button key={m.user.id} testID={`partner-share-${m.user.id}`} title={`Share my library with ${m.user.display_name}`} onPress={() => act(() => api!.sharePartner(m.user.id))} />
      ))}
      <Text style={ui.dim}>Libraries shared with me</Text>
      {(partners?.shared_with_me ?? []).map((p) => (
        <View key={p.user.id} style={ui.row}>
          <Text style={ui.text}>{`${p.user.display_name}: show in my timeline`}</Text>
          <Switch testID={`partner-timeline-${p.user.id}`} value={p.in_timeline} onValueChange={(v) => act(() => api!.setPartnerInTimeline(p.user.id, v))} />
        </View>
      ))}
      {partners && partners.shared_with_me.length === 0 ? <Text style={ui.dim}>None.</Text> : null}
    </View>
  );
}
