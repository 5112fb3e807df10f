/**
 * @jest-environment node
 */
// The viewer on Android: each photo sits in a ZoomView (a PanResponder pinch), and a zoomed photo
// holds the pager so one finger pans it instead of swiping to the next.
import AsyncStorage from '@react-native-async-storage/async-storage';
import { act, fireEvent, render, screen } from '@testing-library/react-native';
import { Platform } from 'react-native';

import type { Photo } from '../api/types';
import { AppProvider } from '../state/AppContext';
import { startHttpFake, type HttpFake } from '../testing/httpFake';
import { Root } from './Root';

/* eslint-disable @typescript-eslint/no-require-imports */
const secure = require('expo-secure-store') as typeof import('../../__mocks__/expo-secure-store');
/* eslint-enable @typescript-eslint/no-require-imports */

let http: HttpFake;
let clock = 0;

function photo(id: string, takenAt: string): Photo {
  return { id, filename: `${id}.jpg`, status: 'ready', content_type: 'image/jpeg', size: 1, width: 1, height: 1, sha256: id, taken_at: takenAt, place: null, favorite: false };
}

function touches(points: [number, number][]) {
  clock += 16;
  const list = points.map(([x, y], i) => ({ identifier: i, pageX: x, pageY: y, locationX: x, locationY: y, timestamp: clock }));
  return { nativeEvent: { touches: list, changedTouches: list }, touchHistory: { numberActiveTouches: list.length, indexOfSingleActiveTouch: 0, mostRecentTimeStamp: clock, touchBank: [] } };
}

beforeEach(async () => {
  http = await startHttpFake();
  await AsyncStorage.clear();
  secure.store.clear();
  await AsyncStorage.setItem('auroravault.settings.v1', JSON.stringify({ server: http.url }));
  secure.store.set('auroravault.token', 'tok');
  http.photos = [photo('p2', '2024-07-01T10:00:00Z'), photo('p1', '2024-03-02T10:00:00Z')];
});
afterEach(async () => {
  jest.restoreAllMocks();
  await http.close();
});

it('pinches a photo on Android, holds the pager while zoomed and releases it when fitted again', async () => {
  render(
    <AppProvider>
      <Root />
    </AppProvider>,
  );
  const thumb = await screen.findByTestId('thumb-p2', {}, { timeout: 10_000 });
  // The viewer is what differs on Android (the rest of the app runs as in the other tests).
  jest.replaceProperty(Platform, 'OS', 'android');
  fireEvent.press(thumb);
  expect(await screen.findByTestId('preview-p2')).toBeTruthy();
  const frame = screen.getByTestId('zoom-p2');
  expect(screen.getByTestId('viewer-pager').props.scrollEnabled).toBe(true);

  act(() => {
    frame.props.onResponderGrant(touches([[150, 300], [250, 300]]));
    frame.props.onResponderMove(touches([[50, 300], [350, 300]]));
  });
  const scale = () => (screen.getByTestId('zoom-p2-content').props.style.transform as Record<string, number>[]).find((t) => 'scale' in t)!.scale;
  expect(scale()).toBeCloseTo(3);
  expect(screen.getByTestId('viewer-pager').props.scrollEnabled).toBe(false);

  // Pinched back in: fitted, and swiping works again.
  act(() => {
    frame.props.onResponderMove(touches([[190, 300], [210, 300]]));
    frame.props.onResponderRelease(touches([]));
  });
  expect(scale()).toBe(1);
  expect(screen.getByTestId('viewer-pager').props.scrollEnabled).toBe(true);
});
