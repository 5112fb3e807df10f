import { ScrollView, Switch, Text, View } from 'react-native';

import { useApp } from '../state/AppContext';
import { Button } from '../ui/Button';
import { ui } from '../ui/theme';
import { FamilySection } from './FamilySection';
import { PartnersSection } from './PartnersSection';

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function SettingsScreen() {
  const app = useApp();
  const user = app.user;
  return (
    <ScrollView style={ui.screen} contentContainerStyle={ui.pad} testID="settings">
      <Text style={ui.title}>Settings</Text>
      <Text style={ui.dim}>Server</Text>
      <Text style={ui.text}>{app.settings.server}</Text>
      {user ? (
        <>
          <Text style={ui.dim}>Account</Text>
          <Text style={ui.text}>{user.display_name ? `${user.display_name} <${user.email}>` : user.email}</Text>
          {user.quota_bytes ? <Text style={ui.dim}>{`${mb(user.used_bytes)} of ${mb(user.quota_bytes)} used`}</Text> : null}
        </>
      ) : null}
      <View style={ui.row}>
        <Text style={ui.text}>Back up in the background</Text>
        <Switch testID="background" value={app.settings.background} onValueChange={(v) => void app.updateSettings({ background: v })} />
      </View>
      <Text style={ui.dim}>
        Best effort: the phone decides when (at most every 15 minutes) and for how long. Nothing runs after you
        force-quit the app. The first big backup runs with the app open.
      </Text>
      {user ? <FamilySection /> : null}
      {user ? <PartnersSection /> : null}
      <Button testID="sign-out" title="Sign out" onPress={() => void app.signOut()} />
    </ScrollView>
  );
}
