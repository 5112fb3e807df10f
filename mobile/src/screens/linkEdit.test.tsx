/**
 * @jest-environment node
 */
// Editing a share link on the album's Share screen: expiry, password set and cleared, download,
// upload and details; only what changed is sent. Against a real HTTP server (src/testing/httpFake.ts).
import AsyncStorage from '@react-native-async-storage/async-storage';
import { fireEvent, render, screen, waitFor } from '@testing-library/react-native';

import type { ShareLink } from '../api/types';
import { AppProvider } from '../state/AppContext';
import { albumOf, startHttpFake, type HttpFake } from '../testing/httpFake';
import { linkEdit } from './LinkEditor';
import { Root } from './Root';

/* eslint-disable @typescript-eslint/no-require-imports */
const secure = require('expo-secure-store') as typeof import('../../__mocks__/expo-secure-store');
/* eslint-enable @typescript-eslint/no-require-imports */

let http: HttpFake;

function linkOf(over: Partial<ShareLink> = {}): ShareLink {
  return { id: 'l1', key: 'k1', url: 'http://x/#/s/k1', kind: 'album', album_id: 'a1', expires_at: null, expired: false, has_password: false, allow_download: true, allow_upload: false, show_metadata: true, ...over };
}

beforeEach(async () => {
  http = await startHttpFake();
  await AsyncStorage.clear();
  secure.store.clear();
  await AsyncStorage.setItem('auroravault.settings.v1', JSON.stringify({ server: http.url }));
  secure.store.set('auroravault.token', 'tok');
  http.albums = [albumOf(1, { name: 'Summer' })];
});
afterEach(() => http.close());

async function openLinks(first = 'l1') {
  render(
    <AppProvider>
      <Root />
    </AppProvider>,
  );
  fireEvent.press(await screen.findByTestId('tab-albums'));
  fireEvent.press(await screen.findByTestId('album-a1'));
  fireEvent.press(await screen.findByTestId('album-share'));
  expect(await screen.findByTestId(`link-${first}`)).toBeTruthy();
}

it('sets an expiry and a password, turns off download, turns on upload and hides details', async () => {
  http.links = [linkOf()];
  await openLinks();
  expect(screen.getByTestId('link-text-l1')).toHaveTextContent('no expiry · download allowed');
  fireEvent.press(screen.getByTestId('link-edit-l1'));
  fireEvent.changeText(screen.getByTestId('link-edit-days-l1'), '3');
  fireEvent.changeText(screen.getByTestId('link-edit-password-l1'), 'open sesame');
  fireEvent(screen.getByTestId('link-edit-download-l1'), 'valueChange', false);
  fireEvent(screen.getByTestId('link-edit-upload-l1'), 'valueChange', true);
  fireEvent(screen.getByTestId('link-edit-metadata-l1'), 'valueChange', false);
  fireEvent.press(screen.getByTestId('link-edit-save-l1'));
  await waitFor(() => expect(http.linkEdits).toHaveLength(1));
  const sent = http.linkEdits[0];
  expect(sent).toMatchObject({ password: 'open sesame', allow_download: false, allow_upload: true, show_metadata: false });
  const days = (Date.parse(sent.expires_at as string) - Date.now()) / 86_400_000;
  expect(days).toBeGreaterThan(2.9);
  expect(days).toBeLessThan(3.1);
  await waitFor(() => expect(screen.queryByTestId('link-editor-l1')).toBeNull());
  await waitFor(() => expect(screen.getByTestId('link-text-l1')).toHaveTextContent(`until ${(sent.expires_at as string).slice(0, 10)} · password · no download · upload allowed · no details`));
});

it('clears the password and the expiry, and sends nothing else', async () => {
  http.links = [linkOf({ has_password: true, expires_at: '2030-01-01T00:00:00Z' })];
  await openLinks();
  expect(screen.getByTestId('link-text-l1')).toHaveTextContent('until 2030-01-01 · password · download allowed');
  fireEvent.press(screen.getByTestId('link-edit-l1'));
  fireEvent.press(screen.getByTestId('link-edit-clear-password-l1'));
  expect(screen.getByText('Password will be removed')).toBeTruthy();
  // Typed, then emptied: "never".
  fireEvent.changeText(screen.getByTestId('link-edit-days-l1'), '5');
  fireEvent.changeText(screen.getByTestId('link-edit-days-l1'), '');
  fireEvent.press(screen.getByTestId('link-edit-save-l1'));
  await waitFor(() => expect(http.linkEdits).toEqual([{ password: null, expires_at: null }]));
  await waitFor(() => expect(screen.getByTestId('link-text-l1')).toHaveTextContent('no expiry · download allowed'));
  expect(http.links[0]).toMatchObject({ has_password: false, expires_at: null });
});

it('shows a refused edit with its code and keeps the editor open; cancel sends nothing', async () => {
  http.links = [linkOf({ album_id: null, kind: 'photos' }), linkOf({ id: 'l2', key: 'k2' })];
  // The album's Share screen lists only the album's links: the photos link is not there.
  await openLinks('l2');
  expect(screen.queryByTestId('link-l1')).toBeNull();
  fireEvent.press(screen.getByTestId('link-edit-l2'));
  fireEvent(screen.getByTestId('link-edit-download-l2'), 'valueChange', false);
  fireEvent.press(screen.getByTestId('link-edit-cancel-l2'));
  expect(screen.queryByTestId('link-editor-l2')).toBeNull();
  expect(http.linkEdits).toEqual([]);

  http.links[1].album_id = null; // the server now sees it as a photos link: upload is refused
  fireEvent.press(screen.getByTestId('link-edit-l2'));
  fireEvent(screen.getByTestId('link-edit-upload-l2'), 'valueChange', true);
  fireEvent.press(screen.getByTestId('link-edit-save-l2'));
  expect(await screen.findByText('upload needs an album link (upload_needs_album)')).toBeTruthy();
  expect(screen.getByTestId('link-editor-l2')).toBeTruthy();
  expect(http.links[1].allow_upload).toBe(false);
});

it('builds the PATCH body from what changed only', () => {
  const form = { days: null, password: 'keep' as const, newPassword: '', download: true, upload: false, metadata: true };
  expect(linkEdit(linkOf(), form)).toEqual({});
  expect(linkEdit(linkOf(), { ...form, days: '2' }, 0)).toEqual({ expires_at: '1970-01-03T00:00:00.000Z' });
  expect(linkEdit(linkOf(), { ...form, days: 'soon' })).toEqual({ expires_at: null });
  expect(linkEdit(linkOf(), { ...form, password: 'set', newPassword: '' })).toEqual({});
  expect(linkEdit(linkOf({ allow_download: false }), form)).toEqual({ allow_download: true });
});
