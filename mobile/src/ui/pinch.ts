// Pinch to zoom without a native gesture module: the arithmetic of two fingers (scale from their
// distance, pan from their midpoint), one finger panning a zoomed photo, and a double tap that
// zooms in or back out. Pure, so jest tests it; ZoomView feeds it the responder's touches.

export interface Point {
  x: number;
  y: number;
}

/** A photo's zoom: `scale` 1 (fitted) to MAX_SCALE, and its offset from the centre in points. */
export interface Zoom {
  scale: number;
  x: number;
  y: number;
}

export const FITTED: Zoom = { scale: 1, x: 0, y: 0 };
export const MAX_SCALE = 4;
export const DOUBLE_TAP_SCALE = 2.5;
export const DOUBLE_TAP_MS = 300;
/** A touch that moves less than this is a tap, not a pan. */
const TAP_SLOP = 10;

function distance(a: Point, b: Point): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

function midpoint(points: Point[]): Point {
  const n = points.length;
  return { x: points.reduce((s, p) => s + p.x, 0) / n, y: points.reduce((s, p) => s + p.y, 0) / n };
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Keep a zoomed photo covering its frame: no offset past the edge of the scaled photo. */
export function bounded(zoom: Zoom, size: { width: number; height: number }): Zoom {
  const scale = clamp(zoom.scale, 1, MAX_SCALE);
  if (scale === 1) return FITTED;
  const maxX = ((scale - 1) * size.width) / 2;
  const maxY = ((scale - 1) * size.height) / 2;
  return { scale, x: clamp(zoom.x, -maxX, maxX), y: clamp(zoom.y, -maxY, maxY) };
}

export class PinchTracker {
  zoom: Zoom;
  private size: { width: number; height: number };
  private start: { zoom: Zoom; fingers: number; dist: number; mid: Point; first: Point } | null = null;
  private moved = false;
  private lastTap = -Infinity;

  constructor(size: { width: number; height: number }, zoom: Zoom = FITTED) {
    this.size = size;
    this.zoom = zoom;
  }

  /** Fingers down (or a finger added or lifted: the gesture restarts from where it is). */
  begin(touches: Point[]): void {
    if (!touches.length) return;
    this.start = {
      zoom: this.zoom,
      fingers: touches.length,
      dist: touches.length >= 2 ? distance(touches[0], touches[1]) : 0,
      mid: midpoint(touches),
      first: touches[0],
    };
  }

  move(touches: Point[]): Zoom {
    if (!touches.length) return this.zoom;
    if (!this.start || this.start.fingers !== touches.length) {
      this.begin(touches);
      this.moved = true;
      return this.zoom;
    }
    const s = this.start;
    if (distance(touches[0], s.first) > TAP_SLOP) this.moved = true;
    // One finger on a fitted photo is the pager's swipe, not ours.
    if (touches.length === 1 && s.zoom.scale === 1) return this.zoom;
    const scale = touches.length >= 2 && s.dist > 0 ? s.zoom.scale * (distance(touches[0], touches[1]) / s.dist) : s.zoom.scale;
    const mid = midpoint(touches);
    this.zoom = bounded({ scale, x: s.zoom.x + mid.x - s.mid.x, y: s.zoom.y + mid.y - s.mid.y }, this.size);
    return this.zoom;
  }

  /** All fingers up at `now` (ms): a second tap within DOUBLE_TAP_MS zooms in, or back to fitted. */
  end(now: number): Zoom {
    const tapped = !this.moved && this.start?.fingers === 1;
    this.start = null;
    this.moved = false;
    if (!tapped) return this.zoom;
    if (now - this.lastTap <= DOUBLE_TAP_MS) {
      this.lastTap = -Infinity;
      this.zoom = this.zoom.scale > 1 ? FITTED : { scale: DOUBLE_TAP_SCALE, x: 0, y: 0 };
    } else {
      this.lastTap = now;
    }
    return this.zoom;
  }

  /** Another photo or size: back to fitted. */
  reset(size?: { width: number; height: number }): void {
    if (size) this.size = size;
    this.zoom = FITTED;
    this.start = null;
  }
}
