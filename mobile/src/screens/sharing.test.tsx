/**
 * @jest-environment node
 */
// Album members, partners and share links, rendered against a real HTTP server speaking the
// contract (src/testing/httpFake.ts).
import AsyncStorage from '@react-native-async-storage/async-storage';
import { fireEvent, render, screen, waitFor } from '@testing-library/react-native';
import { Share } from 'react-native';

import type { Family } from '../api/types';
import { AppProvider } from '../state/AppContext';
import { albumOf, startHttpFake, type HttpFake } from '../testing/httpFake';
import { Root } from './Root';
import { expiryFrom } from './ShareLinks';

/* eslint-disable @typescript-eslint/no-require-imports */
const secure = require('expo-secure-store') as typeof import('../../__mocks__/expo-secure-store');
/* eslint-enable @typescript-eslint/no-require-imports */

let http: HttpFake;

const FAMILY: Family = {
  id: 'f1',
  name: 'Lovelace',
  members: [
    { user: { id: 'u1', display_name: 'Ada', email: 'ada@example.com' }, role: 'owner' },
    { user: { id: 'u2', display_name: 'Bob', email: 'bob@example.com' }, role: 'member' },
    { user: { id: 'u3', display_name: 'Cy', email: 'cy@example.com' }, role: 'member' },
  ],
};

beforeEach(async () => {
  http = await startHttpFake();
  await AsyncStorage.clear();
  secure.store.clear();
  await AsyncStorage.setItem('auroravault.settings.v1', JSON.stringify({ server: http.url }));
  secure.store.set('auroravault.token', 'tok');
  http.family = structuredClone(FAMILY);
});
afterEach(() => http.close());

function app() {
  render(
    <AppProvider>
      <Root />
    </AppProvider>,
  );
}

async function openShare(albumId: string) {
  fireEvent.press(await screen.findByTestId('tab-albums'));
  fireEvent.press(await screen.findByTestId(`album-${albumId}`));
  fireEvent.press(await screen.findByTestId('album-share'));
  expect(await screen.findByTestId('share-screen')).toBeTruthy();
}

it('lets the owner add a family member with a role, change the role, add by email and remove', async () => {
  http.albums = [albumOf(1, { name: 'Summer' })];
  app();
  await openShare('a1');
  expect(await screen.findByText('Not shared with anyone yet.')).toBeTruthy();
  // Ada is the owner: only the others of her family are offered.
  expect(screen.queryByTestId('add-u1')).toBeNull();

  fireEvent.press(screen.getByTestId('new-role-contributor'));
  fireEvent.press(await screen.findByTestId('add-u2'));
  expect(await screen.findByText('Bob · contributor')).toBeTruthy();
  expect(http.members.get('a1')).toEqual([{ user: { id: 'u2', display_name: 'Bob' }, role: 'contributor' }]);
  expect(screen.queryByTestId('add-u2')).toBeNull();

  fireEvent.press(screen.getByTestId('role-u2-admin'));
  expect(await screen.findByText('Bob · admin')).toBeTruthy();
  expect(http.members.get('a1')![0].role).toBe('admin');

  fireEvent.changeText(screen.getByTestId('share-email'), 'nobody@example.com');
  fireEvent.press(screen.getByTestId('share-email-add'));
  expect(await screen.findByText('no account with that email (user_not_found)')).toBeTruthy();
  expect(http.members.get('a1')).toHaveLength(1);

  fireEvent.changeText(screen.getByTestId('share-email'), 'cy@example.com');
  fireEvent.press(screen.getByTestId('share-email-add'));
  expect(await screen.findByText('Cy · contributor')).toBeTruthy();

  fireEvent.press(screen.getByTestId('remove-u2'));
  await waitFor(() => expect(http.members.get('a1')!.map((m) => m.user.id)).toEqual(['u3']));
  await waitFor(() => expect(screen.queryByText('Bob · admin')).toBeNull());
});

it('shows a viewer the people of a shared album without add or remove, and lets them leave', async () => {
  http.albums = [albumOf(2, { name: 'From Grace', role: 'viewer', shared: true, owner: { id: 'u9', display_name: 'Grace' } })];
  http.members.set('a2', [
    { user: { id: 'u1', display_name: 'Ada' }, role: 'viewer' },
    { user: { id: 'u2', display_name: 'Bob' }, role: 'contributor' },
  ]);
  app();
  fireEvent.press(await screen.findByTestId('tab-albums'));
  expect(await screen.findByText('0 photos · Shared by Grace · you: viewer')).toBeTruthy();
  fireEvent.press(screen.getByTestId('album-a2'));
  expect(await screen.findByTestId('album-share')).toHaveTextContent('People');
  fireEvent.press(screen.getByTestId('album-share'));
  expect(await screen.findByText('Bob · contributor')).toBeTruthy();
  expect(screen.getByText('Grace · owner')).toBeTruthy();
  expect(screen.queryByTestId('share-add')).toBeNull();
  expect(screen.queryByTestId('remove-u2')).toBeNull();
  expect(screen.queryByTestId('role-u2-admin')).toBeNull();
  expect(screen.queryByTestId('share-links')).toBeNull();

  fireEvent.press(screen.getByTestId('share-leave'));
  expect(await screen.findByTestId('albums')).toBeTruthy();
  expect(http.members.get('a2')!.map((m) => m.user.id)).toEqual(['u2']);
});

it('gives an album admin the member actions but no share links', async () => {
  http.albums = [albumOf(3, { name: 'Trip', role: 'admin', shared: true, owner: { id: 'u9', display_name: 'Grace' } })];
  http.members.set('a3', [{ user: { id: 'u1', display_name: 'Ada' }, role: 'admin' }]);
  app();
  await openShare('a3');
  expect(await screen.findByTestId('add-u2')).toBeTruthy();
  expect(screen.getByTestId('share-leave')).toBeTruthy();
  expect(screen.queryByTestId('share-links')).toBeNull();
});

it('makes a share link with expiry, password and no download, sends its URL, and revokes it', async () => {
  http.albums = [albumOf(1, { name: 'Summer' })];
  const shared: string[] = [];
  // The system Share sheet is the phone's; here we only see what the app hands it.
  const spy = jest.spyOn(Share, 'share').mockImplementation(async (content) => {
    shared.push('message' in content ? (content.message ?? '') : '');
    return { action: Share.sharedAction };
  });
  app();
  await openShare('a1');
  fireEvent.changeText(await screen.findByTestId('link-days'), '7');
  fireEvent.changeText(screen.getByTestId('link-password'), 's3cret');
  fireEvent(screen.getByTestId('link-download'), 'valueChange', false);
  fireEvent.press(screen.getByTestId('link-create'));
  expect(await screen.findByTestId('link-l1')).toBeTruthy();
  const link = http.links[0];
  expect(link).toMatchObject({ album_id: 'a1', has_password: true, allow_download: false });
  const days = (Date.parse(link.expires_at!) - Date.now()) / 86_400_000;
  expect(days).toBeGreaterThan(6.9);
  expect(days).toBeLessThan(7.1);
  expect(screen.getByText(`until ${link.expires_at!.slice(0, 10)} · password · no download`)).toBeTruthy();

  fireEvent.press(screen.getByTestId('link-share-l1'));
  await waitFor(() => expect(shared).toEqual([link.url]));
  spy.mockRestore();

  fireEvent.press(screen.getByTestId('link-revoke-l1'));
  await waitFor(() => expect(http.links).toEqual([]));
  await waitFor(() => expect(screen.queryByTestId('link-l1')).toBeNull());
  expect(http.links).toEqual([]);
});

it('reads an empty or bad expiry as no expiry', () => {
  expect(expiryFrom('')).toBeUndefined();
  expect(expiryFrom('abc')).toBeUndefined();
  expect(expiryFrom('0')).toBeUndefined();
  expect(expiryFrom('2', 0)).toBe('1970-01-03T00:00:00.000Z');
});

it('shares my library with a partner, stops, and merges partners into the timeline when a switch is on', async () => {
  http.partners = { shared_with_me: [{ user: { id: 'u3', display_name: 'Cy' }, in_timeline: false }], shared_by_me: [] };
  app();
  expect(await screen.findByTestId('tab-settings')).toBeTruthy();
  await waitFor(() => expect(http.photoQueries).toEqual([null]));

  fireEvent.press(screen.getByTestId('tab-settings'));
  fireEvent.press(await screen.findByTestId('partner-share-u2'));
  expect(await screen.findByTestId('partner-stop-u2')).toBeTruthy();
  expect(http.partners.shared_by_me.map((p) => p.user.id)).toEqual(['u2']);
  expect(screen.queryByTestId('partner-share-u1')).toBeNull();

  fireEvent(screen.getByTestId('partner-timeline-u3'), 'valueChange', true);
  await waitFor(() => expect(http.partners.shared_with_me[0].in_timeline).toBe(true));

  fireEvent.press(screen.getByTestId('partner-stop-u2'));
  expect(await screen.findByTestId('partner-share-u2')).toBeTruthy();
  expect(http.partners.shared_by_me).toEqual([]);

  fireEvent.press(screen.getByTestId('tab-timeline'));
  // The first page goes out beside the re-read switch; it changed, so the page is asked again
  // with the partners merged, and that is the page shown.
  await waitFor(() => expect(http.photoQueries).toEqual([null, null, 'true']));
});
