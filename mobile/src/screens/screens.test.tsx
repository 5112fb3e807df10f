/**
 * @jest-environment node
 */
// The screens, rendered with the native modules' manual mocks (__mocks__/) and a real HTTP server
// speaking the contract (the FakeServer's rules). Node's environment gives axios its http adapter.
import AsyncStorage from '@react-native-async-storage/async-storage';
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react-native';

import { ApiError } from '../api/errors';
import { openQueue } from '../platform/queueStore';
import { AppProvider } from '../state/AppContext';
import { startHttpFake, type HttpFake } from '../testing/httpFake';
import { shaOf } from '../testing/fakeServer';
import { Root } from './Root';

/* eslint-disable @typescript-eslint/no-require-imports */
const secure = require('expo-secure-store') as typeof import('../../__mocks__/expo-secure-store');
const media = require('expo-media-library') as typeof import('../../__mocks__/expo-media-library');
const fs = require('expo-file-system') as typeof import('../../__mocks__/expo-file-system');
const net = require('expo-network') as typeof import('../../__mocks__/expo-network');
const bg = require('expo-background-task') as typeof import('../../__mocks__/expo-background-task');
/* eslint-enable @typescript-eslint/no-require-imports */

let http: HttpFake;

function photoFile(albumId: string, name: string, content: string) {
  const uri = `file:///photos/${name}`;
  fs.files.set(uri, new TextEncoder().encode(content));
  return { id: `${albumId}/${name}`, filename: name, uri, mediaType: media.MediaType.IMAGE, modificationTime: 1 };
}

beforeEach(async () => {
  http = await startHttpFake();
  await AsyncStorage.clear();
  secure.store.clear();
  secure.writes.length = 0;
  fs.files.clear();
  await (await openQueue()).clear();
  fs.uploads.handler = async (uri, url, headers) => {
    try {
      await http.fake.put({ size: fs.files.get(uri)?.length ?? 0 } as never, { method: 'PUT', url, headers });
      return { status: 200, body: '' };
    } catch (err) {
      const e = err as ApiError;
      return { status: e.status ?? 500, body: JSON.stringify({ code: e.code, detail: e.detail }) };
    }
  };
  media.library.albums = [
    { id: 'camera', title: 'Camera', assets: [photoFile('camera', 'IMG_1.jpg', 'one'), photoFile('camera', 'IMG_2.jpg', 'two'), photoFile('camera', 'notes.txt', 'text')] },
    { id: 'screens', title: 'Screenshots', assets: [photoFile('screens', 'shot.png', 'shot')] },
  ];
});
afterEach(() => http.close());

async function signedIn() {
  await AsyncStorage.setItem('auroravault.settings.v1', JSON.stringify({ server: http.url }));
  secure.store.set('auroravault.token', 'tok');
}

it("signs in, showing the server's own message for a wrong password, and keeps the token in secure storage", async () => {
  render(
    <AppProvider>
      <Root />
    </AppProvider>,
  );
  fireEvent.changeText(await screen.findByTestId('server'), http.url);
  fireEvent.changeText(screen.getByTestId('email'), 'ada@example.com');
  fireEvent.changeText(screen.getByTestId('password'), 'wrong');
  fireEvent.press(screen.getByTestId('submit'));
  expect(await screen.findByText('wrong email or password (invalid_credentials)')).toBeTruthy();

  fireEvent.changeText(screen.getByTestId('password'), http.password);
  fireEvent.press(screen.getByTestId('submit'));
  expect(await screen.findByTestId('tab-backup')).toBeTruthy();
  expect(secure.store.get('auroravault.token')).toBe('tok');
  expect(secure.writes).toEqual([{ key: 'auroravault.token', options: { keychainAccessible: 'AFTER_FIRST_UNLOCK' } }]);
});

it('backs up only the chosen albums and shows a refused file with its code', async () => {
  await signedIn();
  render(
    <AppProvider>
      <Root />
    </AppProvider>,
  );
  fireEvent.press(await screen.findByTestId('tab-backup'));
  fireEvent(await screen.findByTestId('album-screens'), 'valueChange', false);
  await act(async () => {
    fireEvent.press(screen.getByTestId('start'));
  });
  expect(await screen.findByText('2 backed up, 0 to go, 0 skipped, 1 failed (of 3)')).toBeTruthy();
  expect(await screen.findByText('notes.txt: application/octet-stream is not a photo type (unsupported_media_type)')).toBeTruthy();
  expect([...http.fake.photos.keys()].sort()).toEqual([shaOf('one'), shaOf('two')].sort());
});

it('sends the user to sign in on a 401 and keeps the queue for afterwards', async () => {
  await signedIn();
  render(
    <AppProvider>
      <Root />
    </AppProvider>,
  );
  fireEvent.press(await screen.findByTestId('tab-backup'));
  http.revoke();
  await act(async () => {
    fireEvent.press(screen.getByTestId('start'));
  });
  expect(await screen.findByText(/Your session ended/)).toBeTruthy();
  const queue = await openQueue();
  expect((await queue.counts()).ready + (await queue.counts()).hashed).toBeGreaterThan(0);

  fireEvent.changeText(screen.getByTestId('password'), http.password);
  fireEvent.press(screen.getByTestId('submit'));
  fireEvent.press(await screen.findByTestId('tab-backup'));
  await act(async () => {
    fireEvent.press(screen.getByTestId('start'));
  });
  await waitFor(async () => expect((await queue.counts()).done).toBe(3));
  expect(http.fake.photos.size).toBe(3);
});

it('shows the timeline by month with thumbnails cached on the device', async () => {
  await signedIn();
  const base = { status: 'ready' as const, content_type: 'image/jpeg', size: 1, width: 1, height: 1, thumbhash: null };
  http.photos = [
    { ...base, id: 'p2', filename: 'b.jpg', sha256: 'b', taken_at: '2024-03-02T10:00:00Z', thumb_url: `${http.url}/blobs/p2` },
    { ...base, id: 'p1', filename: 'a.jpg', sha256: 'a', taken_at: '2023-01-05T10:00:00Z', thumb_url: `${http.url}/blobs/p1` },
  ];
  render(
    <AppProvider>
      <Root />
    </AppProvider>,
  );
  expect(await screen.findByText('March 2024')).toBeTruthy();
  expect(screen.getByText('January 2023')).toBeTruthy();
  expect(await screen.findByTestId('thumb-img-p1')).toBeTruthy();
  expect(await screen.findByTestId('thumb-img-p2')).toBeTruthy();
  expect(fs.files.has('file:///cache/thumbs/p1.webp')).toBe(true);
});

it('carries on with a backup the app was killed in the middle of, without a tap', async () => {
  await signedIn();
  const queue = await openQueue();
  // What a killed app left: two photos in line, one of them already hashed and checked.
  await queue.add(
    [
      { assetId: 'camera/IMG_1.jpg', filename: 'IMG_1.jpg', uri: 'file:///photos/IMG_1.jpg', size: 3, contentType: 'image/jpeg', modifiedAt: 1 },
      { assetId: 'camera/IMG_2.jpg', filename: 'IMG_2.jpg', uri: 'file:///photos/IMG_2.jpg', size: 3, contentType: 'image/jpeg', modifiedAt: 1 },
    ],
    0,
  );
  await queue.update('camera/IMG_1.jpg', { state: 'ready', sha256: shaOf('one') });
  media.library.albums = media.library.albums.slice(0, 1);
  media.library.albums[0].assets = media.library.albums[0].assets.slice(0, 2);
  render(
    <AppProvider>
      <Root />
    </AppProvider>,
  );
  await waitFor(async () => expect((await queue.counts()).done).toBe(2));
  expect([...http.fake.photos.keys()].sort()).toEqual([shaOf('one'), shaOf('two')].sort());
  expect(http.fake.count('put')).toBe(2);
});

it('loads the next page by cursor when the timeline scrolls to its end', async () => {
  await signedIn();
  const base = { status: 'ready' as const, content_type: 'image/jpeg', size: 1, width: 1, height: 1, thumbhash: null };
  http.photos = Array.from({ length: 5 }, (_, i) => ({
    ...base,
    id: `p${i}`,
    filename: `${i}.jpg`,
    sha256: `s${i}`,
    taken_at: `2024-0${5 - i}-01T10:00:00Z`,
  }));
  http.pageSize = 2;
  render(
    <AppProvider>
      <Root />
    </AppProvider>,
  );
  expect(await screen.findByText('May 2024')).toBeTruthy();
  expect(screen.queryByText('March 2024')).toBeNull();
  fireEvent(screen.getByTestId('timeline-list'), 'endReached');
  expect(await screen.findByText('March 2024')).toBeTruthy();
  fireEvent(screen.getByTestId('timeline-list'), 'endReached');
  expect(await screen.findByText('January 2024')).toBeTruthy();
  expect(screen.getAllByTestId('month-header')).toHaveLength(5);
});

it('opens the viewer with date, camera and place, and marks a favorite', async () => {
  await signedIn();
  http.photos = [
    {
      status: 'ready',
      content_type: 'image/jpeg',
      size: 1,
      width: 1,
      height: 1,
      id: 'p1',
      filename: 'paris.jpg',
      sha256: 's1',
      taken_at: '2024-05-01T10:00:00Z',
      camera: { make: 'Canon', model: 'EOS R6', lens: null },
      location: { lat: 48.8566, lon: 2.3522, alt: null },
      place: { city: 'Paris', country: 'France' },
      favorite: false,
    },
  ];
  render(
    <AppProvider>
      <Root />
    </AppProvider>,
  );
  fireEvent.press(await screen.findByTestId('thumb-p1'));
  expect(await screen.findByTestId('viewer')).toBeTruthy();
  expect(screen.getByTestId('viewer-filename')).toHaveTextContent('paris.jpg');
  expect(screen.getByText('Canon EOS R6')).toBeTruthy();
  expect(screen.getByText('Paris, France')).toBeTruthy();
  expect(await screen.findByTestId('preview-p1')).toBeTruthy();
  expect(fs.files.has('file:///cache/thumbs/p1.preview.jpg')).toBe(true);
  fireEvent.press(screen.getByText('☆ Favorite'));
  expect(await screen.findByText('★ Favorite')).toBeTruthy();
  expect(http.photos[0].favorite).toBe(true);
  await act(async () => {
    fireEvent.press(screen.getByTestId('viewer-close'));
  });
  expect(await screen.findByTestId('timeline')).toBeTruthy();
  // The timeline reloads over the real HTTP fake (sync, partners and the first page); with jest
  // workers busy that takes more than waitFor's 1 s default: wait for it, it is not a speed check.
  await waitFor(() => expect(screen.queryByTestId('timeline-loading')).toBeNull(), { timeout: 10_000 });
});

it('waits for Wi-Fi on a cellular network when asked to, and goes when allowed', async () => {
  await signedIn();
  net.state.type = net.NetworkStateType.CELLULAR;
  try {
    render(
      <AppProvider>
        <Root />
      </AppProvider>,
    );
    fireEvent.press(await screen.findByTestId('tab-backup'));
    await act(async () => {
      fireEvent.press(screen.getByTestId('start'));
    });
    expect(await screen.findByText('Waiting — waiting for Wi-Fi')).toBeTruthy();
    expect(http.fake.calls).toEqual([]);
    fireEvent(screen.getByTestId('wifi-only'), 'valueChange', false);
    await act(async () => {
      fireEvent.press(screen.getByTestId('start'));
    });
    expect(await screen.findByText(/^3 backed up/)).toBeTruthy();
  } finally {
    net.state.type = net.NetworkStateType.WIFI;
  }
});

it('turns background backup on in Settings, and signing out forgets the session and the queue', async () => {
  await signedIn();
  const queue = await openQueue();
  await queue.add([{ assetId: 'x', filename: 'x.jpg', uri: 'file:///x', size: 1, contentType: 'image/jpeg', modifiedAt: 0 }], 0);
  await AsyncStorage.setItem('auroravault.settings.v1', JSON.stringify({ server: http.url, paused: true }));
  render(
    <AppProvider>
      <Root />
    </AppProvider>,
  );
  fireEvent.press(await screen.findByTestId('tab-settings'));
  expect(await screen.findByText('Ada <ada@example.com>')).toBeTruthy();
  await act(async () => {
    fireEvent(screen.getByTestId('background'), 'valueChange', true);
  });
  expect(bg.registered.has('auroravault-backup')).toBe(true);
  await act(async () => {
    fireEvent.press(screen.getByTestId('sign-out'));
  });
  expect(await screen.findByTestId('submit')).toBeTruthy();
  expect(secure.store.has('auroravault.token')).toBe(false);
  expect(bg.registered.has('auroravault-backup')).toBe(false);
  expect(await queue.counts()).toMatchObject({ new: 0 });
});

it('starts by itself when the phone moves from cellular to Wi-Fi', async () => {
  await signedIn();
  net.state.type = net.NetworkStateType.CELLULAR;
  try {
    render(
      <AppProvider>
        <Root />
      </AppProvider>,
    );
    fireEvent.press(await screen.findByTestId('tab-backup'));
    await act(async () => {
      fireEvent.press(screen.getByTestId('start'));
    });
    expect(await screen.findByText('Waiting — waiting for Wi-Fi')).toBeTruthy();
    net.state.type = net.NetworkStateType.WIFI;
    await act(async () => {
      for (const listener of net.listeners) listener({ ...net.state });
    });
    expect(await screen.findByText(/^3 backed up/)).toBeTruthy();
  } finally {
    net.state.type = net.NetworkStateType.WIFI;
  }
});

it('says when the user allowed only some photos, and offers to choose more', async () => {
  await signedIn();
  media.library.limited = true;
  try {
    render(
      <AppProvider>
        <Root />
      </AppProvider>,
    );
    fireEvent.press(await screen.findByTestId('tab-backup'));
    expect(await screen.findByTestId('limited-access')).toBeTruthy();
    fireEvent.press(screen.getByTestId('choose-more'));
    await waitFor(() => expect(media.library.pickerShown).toBe(1));
  } finally {
    media.library.limited = false;
  }
});

it('explains a refused photo permission', async () => {
  await signedIn();
  media.library.granted = false;
  try {
    render(
      <AppProvider>
        <Root />
      </AppProvider>,
    );
    fireEvent.press(await screen.findByTestId('tab-backup'));
    expect(await screen.findByText(/may not read your photos/)).toBeTruthy();
  } finally {
    media.library.granted = true;
  }
});
