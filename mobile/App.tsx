import { StatusBar } from 'expo-status-bar';

import { Root } from './src/screens/Root';
import { AppProvider } from './src/state/AppContext';

export default function App() {
  return (
    <AppProvider>
      <StatusBar style="light" />
      <Root />
    </AppProvider>
  );
}
