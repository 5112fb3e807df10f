/**
 * @jest-environment node
 */
// Albums, add to album and search, rendered with the native modules' manual mocks and a real HTTP
// server speaking the contract (src/testing/httpFake.ts).
import AsyncStorage from '@react-native-async-storage/async-storage';
import { act, fireEvent, render, screen } from '@testing-library/react-native';

import type { Photo } from '../api/types';
import { AppProvider } from '../state/AppContext';
import { albumOf, startHttpFake, type HttpFake } from '../testing/httpFake';
import { Root } from './Root';

/* eslint-disable @typescript-eslint/no-require-imports */
const secure = require('expo-secure-store') as typeof import('../../__mocks__/expo-secure-store');
/* eslint-enable @typescript-eslint/no-require-imports */

let http: HttpFake;

function photo(id: string, filename: string, takenAt: string, city: string | null = null): Photo {
  return { id, filename, status: 'ready', content_type: 'image/jpeg', size: 1, width: 1, height: 1, sha256: id, taken_at: takenAt, place: city ? { city } : null, favorite: false };
}

beforeEach(async () => {
  http = await startHttpFake();
  await AsyncStorage.clear();
  secure.store.clear();
  await AsyncStorage.setItem('auroravault.settings.v1', JSON.stringify({ server: http.url }));
  secure.store.set('auroravault.token', 'tok');
  http.photos = [photo('p3', 'beach.jpg', '2024-07-01T10:00:00Z', 'Nice'), photo('p2', 'cake.jpg', '2024-03-02T10:00:00Z'), photo('p1', 'snow.jpg', '2023-01-05T10:00:00Z', 'Oslo')];
});
afterEach(() => http.close());

function app() {
  render(
    <AppProvider>
      <Root />
    </AppProvider>,
  );
}

it('lists albums with their covers and counts, opens one into the grid and the viewer, and comes back to it', async () => {
  http.albums = [
    albumOf(1, { name: 'Summer', photo_count: 1, cover_photo_id: 'p3', cover_thumb_url: `${http.url}/blobs/p3/thumb` }),
    albumOf(2, { name: 'From Grace', photo_count: 2, role: 'viewer', owner: { id: 'u2', display_name: 'Grace' } }),
    albumOf(3, { name: 'Empty' }),
  ];
  http.albumPhotos.set('a1', ['p3']);
  http.albumPhotos.set('a2', ['p2', 'p1']);
  app();
  fireEvent.press(await screen.findByTestId('tab-albums'));
  expect(await screen.findByText('Summer')).toBeTruthy();
  expect(screen.getByText('1 photo')).toBeTruthy();
  expect(screen.getByText('2 photos · Shared by Grace · you: viewer')).toBeTruthy();
  expect(screen.getByText('0 photos')).toBeTruthy();
  expect(screen.getByTestId('album-cover-a1')).toBeTruthy();
  expect(screen.queryByTestId('album-cover-a2')).toBeNull();

  fireEvent.press(screen.getByTestId('album-a2'));
  expect(await screen.findByTestId('thumb-p2')).toBeTruthy();
  expect(screen.getByTestId('thumb-p1')).toBeTruthy();
  expect(screen.queryByTestId('thumb-p3')).toBeNull();
  expect(screen.getByText('March 2024')).toBeTruthy();
  expect(screen.getByText('January 2023')).toBeTruthy();

  fireEvent.press(screen.getByTestId('thumb-p1'));
  expect(await screen.findByTestId('viewer')).toBeTruthy();
  expect(screen.getByTestId('viewer-filename')).toHaveTextContent('snow.jpg');
  await act(async () => {
    fireEvent.press(screen.getByTestId('viewer-close'));
  });
  expect(await screen.findByTestId('album-view')).toBeTruthy();
  expect(await screen.findByTestId('thumb-p2')).toBeTruthy();
  fireEvent.press(screen.getByTestId('album-back'));
  expect(await screen.findByTestId('album-a3')).toBeTruthy();
  fireEvent.press(screen.getByTestId('album-a3'));
  expect(await screen.findByText('No photos in this album yet. Add some from the viewer.')).toBeTruthy();
});

it("adds a photo to an album from the viewer, or to a new one, and offers only albums it may add to", async () => {
  http.albums = [albumOf(1, { name: 'Summer' }), albumOf(2, { name: 'Only looking', role: 'viewer' })];
  app();
  fireEvent.press(await screen.findByTestId('thumb-p3'));
  fireEvent.press(await screen.findByTestId('viewer-add-album'));
  expect(await screen.findByTestId('pick-a1')).toBeTruthy();
  expect(screen.queryByTestId('pick-a2')).toBeNull();
  fireEvent.press(screen.getByTestId('pick-a1'));
  expect(await screen.findByText('Added to Summer')).toBeTruthy();
  expect(http.albumPhotos.get('a1')).toEqual(['p3']);

  fireEvent.press(screen.getByTestId('viewer-add-album'));
  fireEvent.press(await screen.findByTestId('pick-a1'));
  expect(await screen.findByText('Already in Summer')).toBeTruthy();
  expect(http.albumPhotos.get('a1')).toEqual(['p3']);

  fireEvent.press(screen.getByTestId('viewer-add-album'));
  fireEvent.changeText(await screen.findByTestId('new-album-name'), 'Nice trip');
  fireEvent.press(screen.getByTestId('new-album-create'));
  expect(await screen.findByText('Added to Nice trip')).toBeTruthy();
  const created = http.albums.find((a) => a.name === 'Nice trip');
  expect(http.albumPhotos.get(created!.id)).toEqual(['p3']);

  await act(async () => {
    fireEvent.press(screen.getByTestId('viewer-close'));
  });
  fireEvent.press(await screen.findByTestId('tab-albums'));
  expect(await screen.findByText('Nice trip')).toBeTruthy();
  expect(screen.getAllByText('1 photo')).toHaveLength(2);
});

it("shows the server's message when an album cannot be made, and changes nothing", async () => {
  app();
  fireEvent.press(await screen.findByTestId('thumb-p2'));
  fireEvent.press(await screen.findByTestId('viewer-add-album'));
  fireEvent.changeText(await screen.findByTestId('new-album-name'), '   ');
  expect(screen.getByTestId('new-album-create')).toBeDisabled();
  fireEvent.changeText(screen.getByTestId('new-album-name'), 'x'.repeat(201));
  fireEvent.press(screen.getByTestId('new-album-create'));
  expect(await screen.findByText('an album name has 1 to 200 characters (invalid_album_name)')).toBeTruthy();
  expect(screen.getByTestId('album-picker')).toBeTruthy();
  expect(http.albums).toEqual([]);
});

it('searches by text, shows the results in the grid, opens one, and keeps the query after the viewer', async () => {
  app();
  fireEvent.press(await screen.findByTestId('tab-search'));
  fireEvent.changeText(await screen.findByTestId('search-input'), 'oslo');
  fireEvent.press(screen.getByTestId('search-submit'));
  expect(await screen.findByTestId('thumb-p1')).toBeTruthy();
  expect(screen.queryByTestId('thumb-p2')).toBeNull();
  expect(http.queries).toEqual(['oslo']);

  fireEvent.press(screen.getByTestId('thumb-p1'));
  expect(await screen.findByTestId('viewer-filename')).toHaveTextContent('snow.jpg');
  await act(async () => {
    fireEvent.press(screen.getByTestId('viewer-close'));
  });
  expect(await screen.findByTestId('thumb-p1')).toBeTruthy();
  expect(screen.getByTestId('search-input').props.value).toBe('oslo');

  fireEvent.changeText(screen.getByTestId('search-input'), 'nothing-like-this');
  fireEvent(screen.getByTestId('search-input'), 'submitEditing');
  expect(await screen.findByText('Nothing matches “nothing-like-this”.')).toBeTruthy();
  expect(screen.queryByTestId('thumb-p1')).toBeNull();
});

it("pages an album's photos by cursor as the grid scrolls to its end", async () => {
  http.photos = Array.from({ length: 5 }, (_, i) => photo(`q${i}`, `${i}.jpg`, `2024-0${5 - i}-01T10:00:00Z`));
  http.albums = [albumOf(1, { name: 'Spring', photo_count: 5 })];
  http.albumPhotos.set('a1', http.photos.map((p) => p.id));
  http.pageSize = 2;
  app();
  fireEvent.press(await screen.findByTestId('tab-albums'));
  fireEvent.press(await screen.findByTestId('album-a1'));
  expect(await screen.findByTestId('thumb-q1')).toBeTruthy();
  expect(screen.queryByTestId('thumb-q2')).toBeNull();
  fireEvent(screen.getByTestId('album-grid-list'), 'endReached');
  expect(await screen.findByTestId('thumb-q3')).toBeTruthy();
  fireEvent(screen.getByTestId('album-grid-list'), 'endReached');
  expect(await screen.findByTestId('thumb-q4')).toBeTruthy();
  expect(screen.getAllByTestId(/^thumb-q/)).toHaveLength(5);
});
