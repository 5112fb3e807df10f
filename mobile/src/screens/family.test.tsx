/**
 * @jest-environment node
 */
// The family in Settings: found one, invite by email, revoke an invitation, remove a member (owner),
// leave (member); refusals show the server's code. Against a real HTTP server (src/testing/httpFake.ts).
import AsyncStorage from '@react-native-async-storage/async-storage';
import { fireEvent, render, screen, waitFor } from '@testing-library/react-native';

import { AppProvider } from '../state/AppContext';
import { startHttpFake, type HttpFake } from '../testing/httpFake';
import { Root } from './Root';

/* eslint-disable @typescript-eslint/no-require-imports */
const secure = require('expo-secure-store') as typeof import('../../__mocks__/expo-secure-store');
/* eslint-enable @typescript-eslint/no-require-imports */

let http: HttpFake;

beforeEach(async () => {
  http = await startHttpFake();
  await AsyncStorage.clear();
  secure.store.clear();
  await AsyncStorage.setItem('auroravault.settings.v1', JSON.stringify({ server: http.url }));
  secure.store.set('auroravault.token', 'tok');
});
afterEach(() => http.close());

async function openSettings() {
  render(
    <AppProvider>
      <Root />
    </AppProvider>,
  );
  fireEvent.press(await screen.findByTestId('tab-settings'));
  expect(await screen.findByTestId('family')).toBeTruthy();
}

it('founds a family, invites by email (a bad address refused), revokes the invitation and removes a member', async () => {
  await openSettings();
  expect(await screen.findByText('You are in no family yet. Found one and invite the others; an invitation link joins.')).toBeTruthy();
  fireEvent.changeText(screen.getByTestId('family-name'), 'Lovelace');
  fireEvent.press(screen.getByTestId('family-create'));
  expect(await screen.findByText('Lovelace · you own it')).toBeTruthy();
  expect(http.family?.name).toBe('Lovelace');
  expect(screen.getByText('Ada · owner (you)')).toBeTruthy();
  expect(screen.queryByTestId('family-remove-u1')).toBeNull();
  expect(screen.queryByTestId('family-leave')).toBeNull();

  fireEvent.changeText(screen.getByTestId('family-invite-email'), 'not-an-email');
  fireEvent.press(screen.getByTestId('family-invite'));
  expect(await screen.findByText('not an email address (invalid_email)')).toBeTruthy();
  expect(http.family?.invites).toEqual([]);

  fireEvent.changeText(screen.getByTestId('family-invite-email'), 'bob@example.com');
  fireEvent.press(screen.getByTestId('family-invite'));
  expect(await screen.findByText('bob@example.com · invited, until 2030-01-08')).toBeTruthy();
  expect(screen.queryByTestId('family-error')).toBeNull();
  expect(http.family?.invites?.map((i) => [i.email, i.role])).toEqual([['bob@example.com', 'member']]);
  expect(screen.getByTestId('family-invite-email').props.value).toBe('');

  fireEvent.press(screen.getByTestId('family-revoke-i1'));
  await waitFor(() => expect(http.family?.invites).toEqual([]));
  await waitFor(() => expect(screen.queryByTestId('family-invite-i1')).toBeNull());

  // Bob joined meanwhile (by his link, elsewhere); the owner removes him.
  http.family!.members.push({ user: { id: 'u2', display_name: 'Bob', email: 'bob@example.com' }, role: 'member' });
  fireEvent.press(screen.getByTestId('tab-timeline'));
  fireEvent.press(screen.getByTestId('tab-settings'));
  fireEvent.press(await screen.findByTestId('family-remove-u2'));
  await waitFor(() => expect(http.family?.members.map((m) => m.user.id)).toEqual(['u1']));
  await waitFor(() => expect(screen.queryByTestId('family-member-u2')).toBeNull());
});

it('lets a member see the family and leave it after a confirmation, with no owner actions', async () => {
  http.family = {
    id: 'f1',
    name: 'Hopper',
    owner_id: 'u9',
    role: 'member',
    members: [
      { user: { id: 'u9', display_name: 'Grace', email: 'grace@example.com' }, role: 'owner' },
      { user: { id: 'u1', display_name: 'Ada', email: 'ada@example.com' }, role: 'member' },
    ],
    invites: [],
  };
  await openSettings();
  expect(await screen.findByText('Hopper')).toBeTruthy();
  expect(screen.getByText('Grace · owner')).toBeTruthy();
  expect(screen.getByText('Ada · member (you)')).toBeTruthy();
  expect(screen.queryByTestId('family-remove-u9')).toBeNull();
  expect(screen.queryByTestId('family-invite-email')).toBeNull();

  fireEvent.press(screen.getByTestId('family-leave'));
  expect(http.family).not.toBeNull();
  fireEvent.press(screen.getByTestId('family-leave-confirm'));
  expect(await screen.findByTestId('family-create')).toBeTruthy();
  expect(http.family).toBeNull();
});
