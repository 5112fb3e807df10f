/**
 * @jest-environment node
 */
// The background task: defined at start-up, registered from Settings, and when the OS runs it,
// it backs up with the stored session, like the foreground does.
import AsyncStorage from '@react-native-async-storage/async-storage';

import { openQueue } from '../platform/queueStore';
import { shaOf } from '../testing/fakeServer';
import { startHttpFake, type HttpFake } from '../testing/httpFake';
import { ApiClient } from '../api/client';
import { BACKUP_TASK, setBackgroundBackup } from './background';
import { forgetEngine, makeEngine, scanLibrary } from './backupRunner';
import { DEFAULT_SETTINGS } from './settings';

/* eslint-disable @typescript-eslint/no-require-imports */
const secure = require('expo-secure-store') as typeof import('../../__mocks__/expo-secure-store');
const media = require('expo-media-library') as typeof import('../../__mocks__/expo-media-library');
const fs = require('expo-file-system') as typeof import('../../__mocks__/expo-file-system');
const tasks = require('expo-task-manager') as typeof import('../../__mocks__/expo-task-manager');
const bg = require('expo-background-task') as typeof import('../../__mocks__/expo-background-task');
/* eslint-enable @typescript-eslint/no-require-imports */

let http: HttpFake;
beforeEach(async () => {
  http = await startHttpFake();
  await AsyncStorage.clear();
  await (await openQueue()).clear();
  fs.files.set('file:///p/a.jpg', new TextEncoder().encode('bg-a'));
  media.library.albums = [
    { id: 'camera', title: 'Camera', assets: [{ id: 'a', filename: 'a.jpg', uri: 'file:///p/a.jpg', mediaType: media.MediaType.IMAGE, modificationTime: 1 }] },
  ];
  fs.uploads.handler = async (_uri, url, headers) => {
    await http.fake.put({ size: 4 } as never, { method: 'PUT', url, headers });
    return { status: 200, body: '' };
  };
});
afterEach(() => http.close());

it('registers every 15 minutes at the soonest, and unregisters', async () => {
  await setBackgroundBackup(true);
  expect(bg.registered.get(BACKUP_TASK)).toEqual({ minimumInterval: 15 });
  await setBackgroundBackup(false);
  expect(bg.registered.has(BACKUP_TASK)).toBe(false);
});

it('backs up when the OS runs the task, with the stored server and token', async () => {
  await AsyncStorage.setItem('auroravault.settings.v1', JSON.stringify({ server: http.url, background: true }));
  secure.store.set('auroravault.token', 'tok');
  const task = tasks.tasks.get(BACKUP_TASK);
  expect(task).toBeDefined();
  expect(await task!()).toBe(bg.BackgroundTaskResult.Success);
  expect([...http.fake.photos.keys()]).toEqual([shaOf('bg-a')]);
});

it('describes only the photos it has not seen on a rescan', async () => {
  const settings = { ...DEFAULT_SETTINGS, server: http.url };
  await scanLibrary(settings);
  media.calls.getInfo = 0;
  expect(await scanLibrary(settings)).toBe(0);
  expect(media.calls.getInfo).toBe(0);
  fs.files.set('file:///p/b.jpg', new TextEncoder().encode('bg-b'));
  media.library.albums[0].assets.push({ id: 'b', filename: 'b.jpg', uri: 'file:///p/b.jpg', mediaType: media.MediaType.IMAGE, modificationTime: 2 });
  expect(await scanLibrary(settings)).toBe(1);
  expect(media.calls.getInfo).toBe(1);
});

it('does nothing, successfully, when signed out or paused', async () => {
  await AsyncStorage.setItem('auroravault.settings.v1', JSON.stringify({ server: http.url, paused: true }));
  secure.store.set('auroravault.token', 'tok');
  expect(await tasks.tasks.get(BACKUP_TASK)!()).toBe(bg.BackgroundTaskResult.Success);
  expect(http.fake.photos.size).toBe(0);
});

it('joins the engine the foreground left running instead of starting a second one', async () => {
  await AsyncStorage.setItem('auroravault.settings.v1', JSON.stringify({ server: http.url, background: true }));
  secure.store.set('auroravault.token', 'tok');
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  fs.uploads.handler = async (_uri, url, headers) => {
    await held; // the foreground's PUT is still on the wire when the OS runs the task
    await http.fake.put({ size: 4 } as never, { method: 'PUT', url, headers });
    return { status: 200, body: '' };
  };
  const api = new ApiClient({ baseUrl: http.url, getToken: () => 'tok' });
  await scanLibrary({ ...DEFAULT_SETTINGS, server: http.url });
  const foreground = (await makeEngine(api, () => DEFAULT_SETTINGS)).run();
  await waitUntil(() => http.fake.count('init') === 1);
  const background = tasks.tasks.get(BACKUP_TASK)!();
  await new Promise((r) => setTimeout(r, 50));
  release();
  await foreground;
  expect(await background).toBe(bg.BackgroundTaskResult.Success);
  expect(http.fake.puts.get(shaOf('bg-a'))).toBe(1);
  expect(http.fake.count('init')).toBe(1);
  forgetEngine();
});

async function waitUntil(cond: () => boolean) {
  for (let i = 0; i < 200 && !cond(); i += 1) await new Promise((r) => setTimeout(r, 10));
}
