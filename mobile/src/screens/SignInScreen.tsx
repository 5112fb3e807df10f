import { useState } from 'react';
import { ScrollView, Text, TextInput, View } from 'react-native';

import { ApiError } from '../api/errors';
import { useApp } from '../state/AppContext';
import { Button } from '../ui/Button';
import { ui } from '../ui/theme';

/** The server's own words, and its code, for anything that went wrong. */
export function problemText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.kind === 'network') return `Cannot reach the server (${err.detail}). Check the address.`;
    return `${err.detail} (${err.code})`;
  }
  return String((err as Error)?.message ?? err);
}

export function SignInScreen() {
  const app = useApp();
  const [server, setServer] = useState(app.settings.server || '');
  const [email, setEmail] = useState(app.user?.email ?? '');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const [mode, setMode] = useState<'signin' | 'register'>('signin');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit() {
    setBusy(true);
    setError(null);
    try {
      if (mode === 'signin') await app.signIn(server, email, password);
      else await app.register(server, email, password, name);
    } catch (err) {
      setError(problemText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <ScrollView style={ui.screen} contentContainerStyle={ui.pad}>
      <Text style={ui.title}>AuroraVault</Text>
      {app.sessionExpired ? <Text style={ui.dim}>Your session ended. Sign in again: your backup queue is kept.</Text> : null}
      <TextInput
        testID="server"
        style={ui.input}
        placeholder="Server address, e.g. http://192.168.1.20:8000"
        placeholderTextColor="#777"
        autoCapitalize="none"
        keyboardType="url"
        value={server}
        onChangeText={setServer}
      />
      <TextInput testID="email" style={ui.input} placeholder="Email" placeholderTextColor="#777" autoCapitalize="none" keyboardType="email-address" value={email} onChangeText={setEmail} />
      <TextInput testID="password" style={ui.input} placeholder="Password" placeholderTextColor="#777" secureTextEntry value={password} onChangeText={setPassword} />
      {mode === 'register' ? (
        <TextInput testID="display-name" style={ui.input} placeholder="Your name" placeholderTextColor="#777" value={name} onChangeText={setName} />
      ) : null}
      {error ? (
        <Text testID="signin-error" style={ui.error}>
          {error}
        </Text>
      ) : null}
      <Button testID="submit" title={mode === 'signin' ? 'Sign in' : 'Create account'} onPress={submit} disabled={busy || !server || !email || !password} />
      <View>
        <Button
          ghost
          testID="switch-mode"
          title={mode === 'signin' ? 'New here? Create an account' : 'I have an account'}
          onPress={() => setMode(mode === 'signin' ? 'register' : 'signin')}
        />
      </View>
    </ScrollView>
  );
}
