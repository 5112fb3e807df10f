/**
 * @jest-environment node
 */
// An album's owner renames and deletes it; photos come out of an album from the viewer (a
// contributor only those they added); a member leaves a shared album. Against a real HTTP server
// speaking the contract (src/testing/httpFake.ts).
import AsyncStorage from '@react-native-async-storage/async-storage';
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react-native';

import type { Photo } from '../api/types';
import { AppProvider } from '../state/AppContext';
import { albumOf, startHttpFake, type HttpFake } from '../testing/httpFake';
import { Root } from './Root';

/* eslint-disable @typescript-eslint/no-require-imports */
const secure = require('expo-secure-store') as typeof import('../../__mocks__/expo-secure-store');
/* eslint-enable @typescript-eslint/no-require-imports */

let http: HttpFake;

function photo(id: string, filename: string, takenAt: string): Photo {
  return { id, filename, status: 'ready', content_type: 'image/jpeg', size: 1, width: 1, height: 1, sha256: id, taken_at: takenAt, place: null, favorite: false };
}

beforeEach(async () => {
  http = await startHttpFake();
  await AsyncStorage.clear();
  secure.store.clear();
  await AsyncStorage.setItem('auroravault.settings.v1', JSON.stringify({ server: http.url }));
  secure.store.set('auroravault.token', 'tok');
  http.photos = [photo('p3', 'beach.jpg', '2024-07-01T10:00:00Z'), photo('p2', 'cake.jpg', '2024-03-02T10:00:00Z'), photo('p1', 'snow.jpg', '2023-01-05T10:00:00Z')];
});
afterEach(() => http.close());

function app() {
  render(
    <AppProvider>
      <Root />
    </AppProvider>,
  );
}

async function openAlbum(id: string) {
  fireEvent.press(await screen.findByTestId('tab-albums'));
  fireEvent.press(await screen.findByTestId(`album-${id}`));
  expect(await screen.findByTestId('album-view')).toBeTruthy();
}

it('lets the owner rename an album, shows the server refusing a too-long name, and delete it after a confirmation', async () => {
  http.albums = [albumOf(1, { name: 'Sumer' }), albumOf(2, { name: 'Winter' })];
  app();
  await openAlbum('a1');
  fireEvent.press(screen.getByTestId('album-edit-open'));
  fireEvent.changeText(screen.getByTestId('album-name'), 'x'.repeat(201));
  fireEvent.press(screen.getByTestId('album-rename'));
  expect(await screen.findByText('an album name has 1 to 200 characters (invalid_album_name)')).toBeTruthy();
  expect(http.albums[0].name).toBe('Sumer');

  fireEvent.changeText(screen.getByTestId('album-name'), '  Summer ');
  fireEvent.press(screen.getByTestId('album-rename'));
  await waitFor(() => expect(screen.getByTestId('album-title')).toHaveTextContent('Summer'));
  expect(http.albums[0].name).toBe('Summer');
  expect(screen.queryByTestId('album-edit')).toBeNull();

  // Back in the list, the new name shows.
  fireEvent.press(screen.getByTestId('album-back'));
  expect(await screen.findByText('Summer')).toBeTruthy();

  fireEvent.press(screen.getByTestId('album-a1'));
  fireEvent.press(await screen.findByTestId('album-edit-open'));
  fireEvent.press(screen.getByTestId('album-delete'));
  // One press only asks: nothing is deleted yet.
  expect(http.albums).toHaveLength(2);
  fireEvent.press(screen.getByTestId('album-delete-confirm'));
  expect(await screen.findByTestId('album-a2')).toBeTruthy();
  expect(screen.queryByTestId('album-a1')).toBeNull();
  expect(http.albums.map((a) => a.id)).toEqual(['a2']);
  // Its photos stay in the library.
  expect(http.photos).toHaveLength(3);
});

it('shows no edit to a viewer, and rename without delete to an admin', async () => {
  http.albums = [
    albumOf(1, { name: 'Grace’s', role: 'viewer', owner: { id: 'u2', display_name: 'Grace' } }),
    albumOf(2, { name: 'Team', role: 'admin', owner: { id: 'u2', display_name: 'Grace' } }),
  ];
  app();
  await openAlbum('a1');
  expect(screen.queryByTestId('album-edit-open')).toBeNull();
  fireEvent.press(screen.getByTestId('album-back'));
  fireEvent.press(await screen.findByTestId('album-a2'));
  fireEvent.press(await screen.findByTestId('album-edit-open'));
  expect(screen.getByTestId('album-rename')).toBeTruthy();
  expect(screen.queryByTestId('album-delete')).toBeNull();
  expect(await screen.findByText('No photos in this album yet. Add some from the viewer.')).toBeTruthy();
});

it('removes a photo from the album in the viewer, which shows the next one; the photo stays in the library', async () => {
  http.albums = [albumOf(1, { name: 'Summer', photo_count: 2 })];
  http.albumPhotos.set('a1', ['p3', 'p2']);
  app();
  await openAlbum('a1');
  fireEvent.press(await screen.findByTestId('thumb-p3'));
  expect(screen.getByTestId('viewer-filename')).toHaveTextContent('beach.jpg');
  expect(await screen.findByTestId('preview-p3')).toBeTruthy();
  fireEvent.press(screen.getByTestId('viewer-remove-album'));
  expect(await screen.findByText('Removed from Summer')).toBeTruthy();
  expect(screen.getByTestId('viewer-filename')).toHaveTextContent('cake.jpg');
  expect(await screen.findByTestId('preview-p2')).toBeTruthy();
  expect(http.albumPhotos.get('a1')).toEqual(['p2']);
  expect(http.photos.map((p) => p.id)).toContain('p3');

  await act(async () => {
    fireEvent.press(screen.getByTestId('viewer-close'));
  });
  expect(await screen.findByTestId('thumb-p2')).toBeTruthy();
  expect(screen.queryByTestId('thumb-p3')).toBeNull();
});

it('tells a contributor a photo they did not add stays, and offers a viewer no remove', async () => {
  http.albums = [
    albumOf(1, { name: 'Team', role: 'contributor', owner: { id: 'u2', display_name: 'Grace' } }),
    albumOf(2, { name: 'Look', role: 'viewer', owner: { id: 'u2', display_name: 'Grace' } }),
  ];
  http.albumPhotos.set('a1', ['p3']);
  http.albumPhotos.set('a2', ['p2']);
  http.notMine = ['p3'];
  app();
  await openAlbum('a1');
  fireEvent.press(await screen.findByTestId('thumb-p3'));
  expect(await screen.findByTestId('preview-p3')).toBeTruthy();
  fireEvent.press(screen.getByTestId('viewer-remove-album'));
  expect(await screen.findByText('Not removed (not_allowed)')).toBeTruthy();
  expect(http.albumPhotos.get('a1')).toEqual(['p3']);
  expect(screen.getByTestId('viewer-filename')).toHaveTextContent('beach.jpg');
  await act(async () => {
    fireEvent.press(screen.getByTestId('viewer-close'));
  });
  fireEvent.press(await screen.findByTestId('album-back'));
  fireEvent.press(await screen.findByTestId('album-a2'));
  fireEvent.press(await screen.findByTestId('thumb-p2'));
  expect(await screen.findByTestId('preview-p2')).toBeTruthy();
  expect(screen.queryByTestId('viewer-remove-album')).toBeNull();
});

it('offers no remove when the viewer opens from the timeline', async () => {
  app();
  fireEvent.press(await screen.findByTestId('thumb-p3', {}, { timeout: 10_000 }));
  expect(await screen.findByTestId('preview-p3')).toBeTruthy();
  expect(screen.queryByTestId('viewer-remove-album')).toBeNull();
});
