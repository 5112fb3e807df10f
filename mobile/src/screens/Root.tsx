// Which screen shows: sign in, or the tabs; the viewer on top of the timeline, an album or a search.
// The open album and the last query live here, so closing the viewer goes back to where it opened.
import { useState } from 'react';
import { ActivityIndicator, Pressable, Text, View } from 'react-native';
import { SafeAreaView } from 'react-native-safe-area-context';

import type { Album, Photo, SearchQuery } from '../api/types';
import { useApp } from '../state/AppContext';
import { colors, ui } from '../ui/theme';
import { AlbumsScreen } from './AlbumsScreen';
import { BackupScreen } from './BackupScreen';
import { SearchScreen } from './SearchScreen';
import { SettingsScreen } from './SettingsScreen';
import { SignInScreen } from './SignInScreen';
import { TimelineScreen } from './TimelineScreen';
import { ViewerScreen } from './ViewerScreen';

type Tab = 'timeline' | 'albums' | 'search' | 'backup' | 'settings';
const TABS: [Tab, string][] = [
  ['timeline', 'Photos'],
  ['albums', 'Albums'],
  ['search', 'Search'],
  ['backup', 'Backup'],
  ['settings', 'Settings'],
];

export function Root() {
  const app = useApp();
  const [tab, setTab] = useState<Tab>('timeline');
  const [viewer, setViewer] = useState<{ photos: Photo[]; index: number; album?: Album } | null>(null);
  const [album, setAlbum] = useState<Album | null>(null);
  const [query, setQuery] = useState<SearchQuery>({});
  const open = (photos: Photo[], index: number) => setViewer({ photos, index });

  if (!app.ready) return <ActivityIndicator style={{ flex: 1, backgroundColor: colors.bg }} color={colors.accent} />;
  if (!app.user || app.sessionExpired) return <SignInScreen />;
  if (viewer) return <ViewerScreen photos={viewer.photos} start={viewer.index} album={viewer.album} onClose={() => setViewer(null)} />;

  return (
    <SafeAreaView style={ui.screen}>
      <View style={{ flex: 1 }}>
        {tab === 'timeline' ? <TimelineScreen onOpen={open} /> : null}
        {tab === 'albums' ? <AlbumsScreen open={album} onSelect={setAlbum} onOpen={(photos, index) => setViewer({ photos, index, album: album ?? undefined })} /> : null}
        {tab === 'search' ? <SearchScreen query={query} onQuery={setQuery} onOpen={open} /> : null}
        {tab === 'backup' ? <BackupScreen /> : null}
        {tab === 'settings' ? <SettingsScreen /> : null}
      </View>
      <View style={{ flexDirection: 'row', borderTopWidth: 1, borderColor: colors.card }}>
        {TABS.map(([key, label]) => (
          <Pressable key={key} testID={`tab-${key}`} accessibilityRole="tab" onPress={() => setTab(key)} style={{ flex: 1, paddingVertical: 14, alignItems: 'center' }}>
            <Text style={{ color: tab === key ? colors.accent : colors.dim, fontWeight: '600' }}>{label}</Text>
          </Pressable>
        ))}
      </View>
    </SafeAreaView>
  );
}
