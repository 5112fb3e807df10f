// Selecting photos in the timeline: the round check on a tile (or a click anywhere on a tile
// once something is selected), shift-click for a range, a long press on touch screens, and
// `x` on the focused tile. Selected photos are kept by id, so they stay selected while the
// tiles are recycled.

const LONG_PRESS_MS = 500;
const MOVE_PX = 10;

export class Selection extends EventTarget {
  constructor() {
    super();
    this.ids = new Set();
    this.anchor = -1; // the index a shift-click range starts from
  }

  get size() {
    return this.ids.size;
  }

  has(id) {
    return this.ids.has(id);
  }

  list() {
    return [...this.ids];
  }

  toggle(photo, index) {
    if (this.ids.has(photo.id)) this.ids.delete(photo.id);
    else this.ids.add(photo.id);
    this.anchor = index;
    this.changed();
  }

  add(ids) {
    for (const id of ids) this.ids.add(id);
    this.changed();
  }

  forget(ids) {
    for (const id of ids) this.ids.delete(id);
    this.changed();
  }

  clear() {
    if (!this.ids.size && this.anchor < 0) return;
    this.ids.clear();
    this.anchor = -1;
    this.changed();
  }

  changed() {
    this.dispatchEvent(new Event('change'));
  }
}

// Clicks on the timeline that select rather than open, handled before the timeline's own.
export function attachSelection(root, timeline, selection) {
  let press = null; // {timer, x, y} of a touch that may become a long press
  let pressed = false; // a long press just selected: the click that follows must not open

  async function range(to) {
    const from = selection.anchor;
    const [lo, hi] = from < to ? [from, to] : [to, from];
    await timeline.ensure(hi);
    const ids = [];
    for (let i = lo; i <= hi; i++) {
      const photo = timeline.get(i);
      if (photo) ids.push(photo.id);
    }
    selection.add(ids);
    selection.anchor = to;
  }

  root.addEventListener(
    'click',
    (event) => {
      const tile = event.target.closest('.tile');
      if (!tile || tile.disabled) return;
      const index = Number(tile.dataset.index);
      const photo = timeline.get(index);
      if (!photo) return;
      if (pressed) {
        pressed = false;
        event.preventDefault();
        return;
      }
      if (event.shiftKey && selection.anchor >= 0) {
        event.preventDefault();
        range(index);
      } else if (event.target.closest('.check') || selection.size || event.ctrlKey || event.metaKey) {
        event.preventDefault();
        selection.toggle(photo, index);
      }
    },
    true,
  );

  const cancel = () => {
    if (press) clearTimeout(press.timer);
    press = null;
  };
  root.addEventListener('pointerdown', (event) => {
    const tile = event.target.closest('.tile');
    if (event.pointerType === 'mouse' || !tile || tile.disabled) return;
    cancel();
    const index = Number(tile.dataset.index);
    press = {
      x: event.clientX,
      y: event.clientY,
      timer: setTimeout(() => {
        press = null;
        const photo = timeline.get(index);
        if (!photo) return;
        pressed = true;
        if (!selection.has(photo.id)) selection.toggle(photo, index);
        if (navigator.vibrate) navigator.vibrate(20);
      }, LONG_PRESS_MS),
    };
  });
  root.addEventListener('pointermove', (event) => {
    if (press && Math.hypot(event.clientX - press.x, event.clientY - press.y) > MOVE_PX) cancel();
  });
  root.addEventListener('pointerup', cancel);
  root.addEventListener('pointercancel', cancel);
  // A long press on a phone would otherwise open the image's own menu.
  root.addEventListener('contextmenu', (event) => {
    if (pressed || press) event.preventDefault();
  });
  root.addEventListener('keydown', (event) => {
    const tile = event.target.closest('.tile');
    if (!tile || event.key.toLowerCase() !== 'x' || event.ctrlKey || event.metaKey || event.altKey) return;
    const index = Number(tile.dataset.index);
    const photo = timeline.get(index);
    if (!photo) return;
    event.preventDefault();
    if (event.shiftKey && selection.anchor >= 0) range(index);
    else selection.toggle(photo, index);
  });
}
