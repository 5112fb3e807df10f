// Which screen shows: sign in, or the three tabs; the viewer on top of the timeline.
import { useState } from 'react';
import { ActivityIndicator, Pressable, Text, View } from 'react-native';
import { SafeAreaView } from 'react-native-safe-area-context';

import type { Photo } from '../api/types';
import { useApp } from '../state/AppContext';
import { colors, ui } from '../ui/theme';
import { BackupScreen } from './BackupScreen';
import { SettingsScreen } from './SettingsScreen';
import { SignInScreen } from './SignInScreen';
import { TimelineScreen } from './TimelineScreen';
import { ViewerScreen } from './ViewerScreen';

type Tab = 'timeline' | 'backup' | 'settings';
const TABS: [Tab, string][] = [
  ['timeline', 'Photos'],
  ['backup', 'Backup'],
  ['settings', 'Settings'],
];

export function Root() {
  const app = useApp();
  const [tab, setTab] = useState<Tab>('timeline');
  const [viewer, setViewer] = useState<{ photos: Photo[]; index: number } | null>(null);

  if (!app.ready) return <ActivityIndicator style={{ flex: 1, backgroundColor: colors.bg }} color={colors.accent} />;
  if (!app.user || app.sessionExpired) return <SignInScreen />;
  if (viewer) return <ViewerScreen photos={viewer.photos} start={viewer.index} onClose={() => setViewer(null)} />;

  return (
    <SafeAreaView style={ui.screen}>
      <View style={{ flex: 1 }}>
        {tab === 'timeline' ? <TimelineScreen onOpen={(photos, index) => setViewer({ photos, index })} /> : null}
        {tab === 'backup' ? <BackupScreen /> : null}
        {tab === 'settings' ? <SettingsScreen /> : null}
      </View>
      <View style={{ flexDirection: 'row', borderTopWidth: 1, borderColor: colors.card }}>
        {TABS.map(([key, label]) => (
          <Pressable key={key} testID={`tab-${key}`} accessibilityRole="tab" onPress={() => setTab(key)} style={{ flex: 1, padding: 14, alignItems: 'center' }}>
            <Text style={{ color: tab === key ? colors.accent : colors.dim, fontWeight: '600' }}>{label}</Text>
          </Pressable>
        ))}
      </View>
    </SafeAreaView>
  );
}
