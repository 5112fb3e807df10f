// Background backup, best effort: the OS decides when (15 minutes at the soonest) and for how
// long (about 30 s on iOS). The first big backup runs in the foreground.
import * as BackgroundTask from 'expo-background-task';
import * as TaskManager from 'expo-task-manager';

import { ApiClient } from '../api/client';
import { secrets } from '../platform/secrets';
import { currentEngine, makeEngine, scanLibrary } from './backupRunner';
import { loadSettings, TOKEN_KEY } from './settings';

export const BACKUP_TASK = 'auroravault-backup';
const BUDGET_MS = 25_000;

export async function backgroundBackup(): Promise<boolean> {
  const settings = await loadSettings();
  const token = await secrets.get(TOKEN_KEY);
  if (!settings.server || !token || settings.paused) return true;
  const api = new ApiClient({ baseUrl: settings.server, getToken: () => token });
  await scanLibrary(settings);
  // The app was only sent to the background: its engine carries on; never a second one.
  const engine = currentEngine() ?? (await makeEngine(api, () => settings));
  const timer = setTimeout(() => engine.pause(), BUDGET_MS);
  try {
    const state = await engine.run();
    return state !== 'signed_out';
  } finally {
    clearTimeout(timer);
  }
}

if (!TaskManager.isTaskDefined(BACKUP_TASK)) {
  TaskManager.defineTask(BACKUP_TASK, async () => {
    try {
      return (await backgroundBackup())
        ? BackgroundTask.BackgroundTaskResult.Success
        : BackgroundTask.BackgroundTaskResult.Failed;
    } catch {
      return BackgroundTask.BackgroundTaskResult.Failed;
    }
  });
}

export async function setBackgroundBackup(on: boolean): Promise<void> {
  const registered = await TaskManager.isTaskRegisteredAsync(BACKUP_TASK);
  if (on && !registered) await BackgroundTask.registerTaskAsync(BACKUP_TASK, { minimumInterval: 15 });
  if (!on && registered) await BackgroundTask.unregisterTaskAsync(BACKUP_TASK);
}
