// Pinch to zoom on Android: the tracker's arithmetic, and ZoomView driven through its responder
// handlers with two fingers as react-native delivers them.
import { act, render, screen } from '@testing-library/react-native';
import { Text } from 'react-native';

import { bounded, DOUBLE_TAP_SCALE, FITTED, MAX_SCALE, PinchTracker } from './pinch';
import { ZoomView } from './ZoomView';

const SIZE = { width: 400, height: 600 };

it('scales with the distance between two fingers, within 1 and the maximum', () => {
  const t = new PinchTracker(SIZE);
  t.begin([{ x: 150, y: 300 }, { x: 250, y: 300 }]);
  expect(t.move([{ x: 100, y: 300 }, { x: 300, y: 300 }]).scale).toBeCloseTo(2);
  expect(t.move([{ x: 0, y: 300 }, { x: 1000, y: 300 }]).scale).toBe(MAX_SCALE);
  expect(t.move([{ x: 190, y: 300 }, { x: 210, y: 300 }])).toEqual(FITTED);
  // A second pinch starts from where the first left the photo.
  t.move([{ x: 100, y: 300 }, { x: 300, y: 300 }]);
  t.end(0);
  t.begin([{ x: 150, y: 300 }, { x: 250, y: 300 }]);
  expect(t.move([{ x: 125, y: 300 }, { x: 275, y: 300 }]).scale).toBeCloseTo(3);
});

it('pans a zoomed photo with one finger, never past its edges, and leaves a fitted one to the pager', () => {
  const t = new PinchTracker(SIZE);
  t.begin([{ x: 200, y: 300 }]);
  expect(t.move([{ x: 50, y: 300 }])).toEqual(FITTED);
  t.end(0);

  const z = new PinchTracker(SIZE, { scale: 2, x: 0, y: 0 });
  z.begin([{ x: 200, y: 300 }]);
  expect(z.move([{ x: 250, y: 280 }])).toEqual({ scale: 2, x: 50, y: -20 });
  // At scale 2 the photo is 800 wide: it moves 200 each way at most.
  expect(z.move([{ x: 900, y: 300 }])).toEqual({ scale: 2, x: 200, y: 0 });
  expect(bounded({ scale: 3, x: -1000, y: 1000 }, SIZE)).toEqual({ scale: 3, x: -400, y: 600 });
  expect(bounded({ scale: 0.5, x: 30, y: 30 }, SIZE)).toEqual(FITTED);
});

it('zooms in on a double tap and back out on the next, but not on two slow taps or a drag', () => {
  const t = new PinchTracker(SIZE);
  const tap = (at: number) => {
    t.begin([{ x: 200, y: 300 }]);
    return t.end(at);
  };
  expect(tap(1000)).toEqual(FITTED);
  expect(tap(1200)).toEqual({ scale: DOUBLE_TAP_SCALE, x: 0, y: 0 });
  expect(tap(2000)).toEqual({ scale: DOUBLE_TAP_SCALE, x: 0, y: 0 });
  expect(tap(2250)).toEqual(FITTED);
  expect(tap(3000)).toEqual(FITTED);
  expect(tap(3400)).toEqual(FITTED); // too slow: a new first tap
  t.begin([{ x: 200, y: 300 }]);
  t.move([{ x: 260, y: 300 }]);
  expect(t.end(3500)).toEqual(FITTED); // a drag is no tap
});

let clock = 0;
/** An event as react-native's responder system hands it over (each a moment later than the last). */
function touchEvent(touches: { x: number; y: number }[]) {
  clock += 16;
  const list = touches.map((p, i) => ({ identifier: i, pageX: p.x, pageY: p.y, locationX: p.x, locationY: p.y, timestamp: 0 }));
  return {
    nativeEvent: { touches: list, changedTouches: list, identifier: 0, pageX: 0, pageY: 0, locationX: 0, locationY: 0, timestamp: 0 },
    touchHistory: { numberActiveTouches: list.length, indexOfSingleActiveTouch: 0, mostRecentTimeStamp: clock, touchBank: [] },
  };
}

it('ZoomView scales its photo under a pinch and tells the viewer to hold its pager until fitted again', () => {
  const zoomed: boolean[] = [];
  render(
    <ZoomView testID="zoom" width={400} height={600} onZoomed={(z) => zoomed.push(z)}>
      <Text>photo</Text>
    </ZoomView>,
  );
  const frame = screen.getByTestId('zoom');
  const scaleOf = () => (screen.getByTestId('zoom-content').props.style.transform as Record<string, number>[]).find((t) => 'scale' in t)!.scale;
  expect(zoomed).toEqual([]);
  act(() => {
    expect(frame.props.onStartShouldSetResponder(touchEvent([{ x: 150, y: 300 }, { x: 250, y: 300 }]))).toBe(true);
    frame.props.onResponderGrant(touchEvent([{ x: 150, y: 300 }, { x: 250, y: 300 }]));
    frame.props.onResponderMove(touchEvent([{ x: 100, y: 300 }, { x: 300, y: 300 }]));
  });
  expect(scaleOf()).toBeCloseTo(2);
  expect(zoomed).toEqual([true]);
  // Zoomed: the pager may not take the fingers away.
  expect(frame.props.onResponderTerminationRequest(touchEvent([]))).toBe(false);
  act(() => {
    frame.props.onResponderMove(touchEvent([{ x: 195, y: 300 }, { x: 205, y: 300 }]));
    frame.props.onResponderRelease(touchEvent([]));
  });
  expect(scaleOf()).toBe(1);
  expect(zoomed).toEqual([true, false]);
  expect(frame.props.onResponderTerminationRequest(touchEvent([]))).toBe(true);
});
