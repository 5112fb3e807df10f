import { registerRootComponent } from 'expo';

// Defines the background backup task at start-up, as expo-task-manager requires.
import './src/state/background';
import App from './App';

registerRootComponent(App);
