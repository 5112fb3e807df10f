/**
 * @jest-environment node
 */
// Search filters (dates, camera, place, favorites, photos or videos) and the places list, against a
// real HTTP server speaking the contract (src/testing/httpFake.ts).
import AsyncStorage from '@react-native-async-storage/async-storage';
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react-native';

import type { Photo } from '../api/types';
import { AppProvider } from '../state/AppContext';
import { startHttpFake, type HttpFake } from '../testing/httpFake';
import { Root } from './Root';
import { describeQuery, hasQuery, placeName, placeQuery } from './searchQuery';

/* eslint-disable @typescript-eslint/no-require-imports */
const secure = require('expo-secure-store') as typeof import('../../__mocks__/expo-secure-store');
/* eslint-enable @typescript-eslint/no-require-imports */

let http: HttpFake;

function photo(id: string, takenAt: string, over: Partial<Photo> = {}): Photo {
  return { id, filename: `${id}.jpg`, status: 'ready', content_type: 'image/jpeg', size: 1, width: 1, height: 1, sha256: id, taken_at: takenAt, place: null, favorite: false, ...over };
}

beforeEach(async () => {
  http = await startHttpFake();
  await AsyncStorage.clear();
  secure.store.clear();
  await AsyncStorage.setItem('auroravault.settings.v1', JSON.stringify({ server: http.url }));
  secure.store.set('auroravault.token', 'tok');
  http.photos = [
    photo('nice24', '2024-07-01T10:00:00Z', { place: { city: 'Nice', country: 'France' }, favorite: true, camera: { make: 'Google', model: 'Pixel 7', lens: null } }),
    photo('clip24', '2024-06-01T10:00:00Z', { content_type: 'video/mp4', place: { city: 'Nice', country: 'France' } }),
    photo('oslo23', '2023-01-05T10:00:00Z', { place: { city: 'Oslo', country: 'Norway' }, favorite: true }),
    photo('home22', '2022-03-02T10:00:00Z'),
  ];
});
afterEach(() => http.close());

async function openSearch() {
  render(
    <AppProvider>
      <Root />
    </AppProvider>,
  );
  fireEvent.press(await screen.findByTestId('tab-search'));
}

it('searches by favorites and a date range with no words, then narrows by camera, and clears', async () => {
  await openSearch();
  expect(screen.getByTestId('search-submit')).toBeDisabled();
  fireEvent.press(screen.getByTestId('search-filters-toggle'));
  fireEvent(screen.getByTestId('filter-favorite'), 'valueChange', true);
  fireEvent.changeText(screen.getByTestId('filter-from'), '2023-01-01');
  fireEvent.changeText(screen.getByTestId('filter-to'), '2024-12-31');
  fireEvent.press(screen.getByTestId('search-submit'));
  expect(await screen.findByTestId('thumb-nice24')).toBeTruthy();
  expect(screen.getByTestId('thumb-oslo23')).toBeTruthy();
  expect(screen.queryByTestId('thumb-clip24')).toBeNull();
  expect(screen.queryByTestId('thumb-home22')).toBeNull();
  expect(screen.getByTestId('search-summary')).toHaveTextContent('favorites · from 2023-01-01 · to 2024-12-31');
  expect(http.searches.at(-1)).toEqual({ from: '2023-01-01', to: '2024-12-31', favorite: 'true' });

  fireEvent.press(screen.getByTestId('search-filters-toggle'));
  fireEvent.changeText(screen.getByTestId('filter-camera'), 'pixel');
  fireEvent.press(screen.getByTestId('search-submit'));
  await waitFor(() => expect(http.searches.at(-1)).toMatchObject({ camera: 'pixel' }));
  expect(await screen.findByTestId('thumb-nice24')).toBeTruthy();
  expect(screen.queryByTestId('thumb-oslo23')).toBeNull();

  fireEvent.press(screen.getByTestId('search-clear'));
  expect(screen.queryByTestId('search-results')).toBeNull();
  expect(screen.getByTestId('search-submit')).toBeDisabled();
});

it('finds videos only, shows a bad date refused by the server, and keeps filters when the viewer closes', async () => {
  await openSearch();
  fireEvent.press(screen.getByTestId('search-filters-toggle'));
  fireEvent.press(screen.getByTestId('filter-type-video'));
  fireEvent.press(screen.getByTestId('search-submit'));
  expect(await screen.findByTestId('thumb-clip24')).toBeTruthy();
  expect(screen.queryByTestId('thumb-nice24')).toBeNull();
  expect(http.searches.at(-1)).toEqual({ type: 'video' });

  fireEvent.press(screen.getByTestId('thumb-clip24'));
  expect(await screen.findByTestId('viewer')).toBeTruthy();
  await act(async () => {
    fireEvent.press(screen.getByTestId('viewer-close'));
  });
  expect(await screen.findByTestId('thumb-clip24')).toBeTruthy();
  expect(screen.getByTestId('search-summary')).toHaveTextContent('videos');

  fireEvent.press(screen.getByTestId('search-filters-toggle'));
  fireEvent.changeText(screen.getByTestId('filter-from'), 'July 2024');
  fireEvent.press(screen.getByTestId('search-submit'));
  expect(await screen.findByText('not a date (YYYY-MM-DD) (invalid_date)', { exact: false })).toBeTruthy();
});

it('lists places by how many photos they hold and opens one as a search by place', async () => {
  http.places = [
    { country: 'Norway', country_code: 'NO', region: 'Oslo', city: 'Oslo', count: 1, cover_photo_id: 'oslo23' },
    { country: 'France', country_code: 'FR', region: 'Provence', city: 'Nice', count: 2, cover_photo_id: 'nice24' },
  ];
  await openSearch();
  fireEvent.press(screen.getByTestId('search-places'));
  expect(await screen.findByTestId('place-0')).toHaveTextContent('Nice, France2 photos');
  expect(screen.getByTestId('place-1')).toHaveTextContent('Oslo, Norway1 photo');
  fireEvent.press(screen.getByTestId('place-0'));
  expect(await screen.findByTestId('thumb-nice24')).toBeTruthy();
  expect(screen.getByTestId('thumb-clip24')).toBeTruthy();
  expect(screen.queryByTestId('thumb-oslo23')).toBeNull();
  expect(http.searches.at(-1)).toEqual({ city: 'Nice', country: 'France' });
  expect(screen.getByTestId('search-summary')).toHaveTextContent('Nice, France');
});

it('says so when no photo has a place', async () => {
  await openSearch();
  fireEvent.press(screen.getByTestId('search-places'));
  expect(await screen.findByText('No photo has a place yet (they need GPS coordinates).')).toBeTruthy();
});

it('reads queries and places back in words', () => {
  expect(hasQuery({ q: '  ', favorite: false, type: '' })).toBe(false);
  expect(hasQuery({ type: 'image' })).toBe(true);
  expect(describeQuery({ q: ' cake ', type: 'image', country: 'France', camera: 'Canon' })).toBe('“cake” · photos · France · Canon');
  const country = { country: 'Iceland', country_code: 'IS', region: null, city: null, count: 4, cover_photo_id: 'x' };
  expect(placeName(country)).toBe('Iceland');
  expect(placeQuery(country)).toEqual({ country: 'Iceland' });
  expect(placeName({ ...country, country: null })).toBe('Unknown place');
});
