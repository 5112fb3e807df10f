// Pinch to zoom for Android (and the web build): react-native's PanResponder drives PinchTracker,
// the photo scales and pans with a transform. iOS keeps the ScrollView's native zoom (ViewerScreen).
// While zoomed, `onZoomed(true)` lets the viewer stop its pager so one finger pans the photo.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { PanResponder, View, type GestureResponderEvent, type PanResponderInstance } from 'react-native';

import { FITTED, PinchTracker, type Point, type Zoom } from './pinch';

function points(e: GestureResponderEvent): Point[] {
  return (e.nativeEvent.touches ?? []).map((t) => ({ x: t.pageX, y: t.pageY }));
}

/** The responder: every touch goes to the tracker; what it answers is shown. */
export function pinchResponder(tracker: PinchTracker, show: (zoom: Zoom) => void, now: () => number = Date.now): PanResponderInstance {
  return PanResponder.create({
    onStartShouldSetPanResponder: () => true,
    onMoveShouldSetPanResponder: (e) => e.nativeEvent.touches.length >= 2 || tracker.zoom.scale > 1,
    onPanResponderGrant: (e) => tracker.begin(points(e)),
    onPanResponderMove: (e) => show(tracker.move(points(e))),
    onPanResponderRelease: () => show(tracker.end(now())),
    onPanResponderTerminate: () => show(tracker.end(now())),
    // A fitted photo lets the pager take a swipe; a zoomed one keeps the fingers.
    onPanResponderTerminationRequest: () => tracker.zoom.scale <= 1,
  });
}

export function ZoomView(props: { width: number; height: number; children: ReactNode; onZoomed?: (zoomed: boolean) => void; testID?: string }) {
  const { width, height, onZoomed } = props;
  const [zoom, setZoom] = useState<Zoom>(FITTED);
  const [tracker] = useState(() => new PinchTracker({ width, height }));
  const [responder] = useState(() => pinchResponder(tracker, setZoom));
  const zoomed = zoom.scale > 1;
  // Only changes are told: a neighbouring slide mounting fitted must not unlock the pager.
  const told = useRef(false);
  useEffect(() => {
    if (zoomed === told.current) return;
    told.current = zoomed;
    onZoomed?.(zoomed);
  }, [zoomed, onZoomed]);

  return (
    <View testID={props.testID} style={{ width, height, overflow: 'hidden', justifyContent: 'center' }} {...responder.panHandlers}>
      <View testID={props.testID ? `${props.testID}-content` : undefined} style={{ transform: [{ translateX: zoom.x }, { translateY: zoom.y }, { scale: zoom.scale }] }}>
        {props.children}
      </View>
    </View>
  );
}
