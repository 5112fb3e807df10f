// Justified rows: the timeline's geometry, as a pure function of the photos' aspect ratios.
//
// Photos are laid out in rows that fill the width exactly, each photo at its own aspect
// ratio, all photos of a row at one height (near the target). Months follow each other in
// the same row when there is room, each with its heading above its first photo, so a month
// of one photo never leaves a row half empty. Only the very last row is left at the target
// height instead of being stretched.

export const HEADER = 44; // px of the heading band above a row where a month starts
export const GAP = 4; // px between photos
const MONTH_GAP = 16; // px between two months sharing a row
const MIN_ASPECT = 0.4; // a tall strip or a panorama is cropped to this range
const MAX_ASPECT = 2.6;

export function aspectOf(photo) {
  if (!photo || !photo.width || !photo.height) return 0; // unknown: the caller's estimate
  return Math.min(MAX_ASPECT, Math.max(MIN_ASPECT, photo.width / photo.height));
}

export function targetHeight(width) {
  return width < 600 ? 120 : width < 1100 ? 170 : 210;
}

// The narrowest a month may start at the end of a row: room for its heading.
function minHeadingWidth(width) {
  return width < 600 ? 96 : 150;
}

// groups: [{key, label, start, count}] in order; aspect(index) -> ratio for every index.
// Returns {x, y, w, h} per index (typed arrays), rows [{y, h, first, last}], headings
// [{key, label, count, x, y, width, group}] and the total height.
export function justify(groups, total, aspect, width) {
  const target = targetHeight(width);
  const minHead = minHeadingWidth(width);
  const x = new Float32Array(total);
  const y = new Float32Array(total);
  const w = new Float32Array(total);
  const h = new Float32Array(total);
  const rows = [];
  const headings = [];
  let top = 0;
  // The row being filled: its items with their aspects, where each month starts in it.
  let items = [];
  let starts = []; // {at: position in items, group}
  let used = 0; // width at the target height, gaps included

  const gapBefore = (k) => (k === 0 ? 0 : starts.some((s) => s.at === k) ? MONTH_GAP : GAP);

  function close(last) {
    if (!items.length) return;
    let gaps = 0;
    let sum = 0;
    for (let k = 0; k < items.length; k++) {
      gaps += gapBefore(k);
      sum += items[k].aspect;
    }
    let height = (width - gaps) / sum;
    if (last || height > target * 1.6) height = Math.min(height, target); // not stretched
    const band = starts.some((s) => groups[s.group].label) ? HEADER : 0; // the trash has no months
    const rowTop = top + band;
    let left = 0;
    const segmentLeft = new Map();
    for (let k = 0; k < items.length; k++) {
      left += gapBefore(k);
      const { index } = items[k];
      const start = starts.find((s) => s.at === k);
      if (start) segmentLeft.set(start.group, left);
      x[index] = left;
      y[index] = rowTop;
      w[index] = items[k].aspect * height;
      h[index] = height;
      left += w[index];
    }
    for (let s = 0; s < starts.length; s++) {
      const { group, at } = starts[s];
      const from = segmentLeft.get(group);
      const next = starts[s + 1];
      const end = next ? segmentLeft.get(next.group) - MONTH_GAP : width;
      const g = groups[group];
      if (g.label) headings.push({ key: g.key, label: g.label, count: g.count, x: from, y: top, width: end - from, group, at });
    }
    rows.push({ y: rowTop, h: height, first: items[0].index, last: items[items.length - 1].index });
    top = rowTop + height + GAP;
    items = [];
    starts = [];
    used = 0;
  }

  for (let g = 0; g < groups.length; g++) {
    const group = groups[g];
    if (!group.count) continue;
    if (items.length && width - used - MONTH_GAP < minHead) close(false);
    starts.push({ at: items.length, group: g });
    for (let i = group.start; i < group.start + group.count; i++) {
      const a = aspect(i);
      const gap = items.length ? gapBefore(items.length) : 0;
      const grown = used + gap + a * target;
      if (items.length && grown > width) {
        // Close before or after this photo, whichever keeps the row nearer the target height.
        const after = rowHeightWith(items, starts, a, gap, width);
        const before = rowHeightWith(items, starts, 0, 0, width);
        if (Math.abs(after - target) <= Math.abs(before - target)) {
          items.push({ index: i, aspect: a });
          close(false);
          continue;
        }
        const startsHere = starts.length && starts[starts.length - 1].at === items.length;
        if (startsHere) starts.pop();
        close(false);
        if (startsHere) starts.push({ at: 0, group: g });
        items.push({ index: i, aspect: a });
        used = a * target;
        continue;
      }
      items.push({ index: i, aspect: a });
      used = grown;
    }
  }
  close(true);
  return { x, y, w, h, rows, headings, height: Math.max(0, top - GAP) };
}

function rowHeightWith(items, starts, extra, extraGap, width) {
  let gaps = extraGap;
  let sum = extra;
  for (let k = 0; k < items.length; k++) {
    gaps += k === 0 ? 0 : starts.some((s) => s.at === k) ? MONTH_GAP : GAP;
    sum += items[k].aspect;
  }
  return (width - gaps) / sum;
}

// The row holding photo `index` (rows are in index order).
export function rowOf(rows, index) {
  let lo = 0;
  let hi = rows.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (rows[mid].first <= index) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

// The first row whose bottom is below `top` (rows are in y order).
export function rowAt(rows, top) {
  let lo = 0;
  let hi = rows.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid].y + rows[mid].h < top) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// The photo a key moves to from `index`. Up and down go to the photo of the next row nearest below or above this one.
export function neighbourOf(geometry, total, index, key, screenHeight) {
  const last = total - 1;
  const { rows, x, w, y } = geometry;
  const r = rowOf(rows, index);
  const centre = x[index] + w[index] / 2;
  const nearest = (row) => {
    let best = row.first;
    for (let i = row.first; i <= row.last; i++) {
      if (Math.abs(x[i] + w[i] / 2 - centre) < Math.abs(x[best] + w[best] / 2 - centre)) best = i;
    }
    return best;
  };
  const screen = (direction) => {
    const to = rowAt(rows, y[index] + direction * screenHeight);
    return nearest(rows[Math.max(0, Math.min(rows.length - 1, to))]);
  };
  switch (key) {
    case 'ArrowRight':
      return Math.min(last, index + 1);
    case 'ArrowLeft':
      return Math.max(0, index - 1);
    case 'ArrowDown':
      return r + 1 < rows.length ? nearest(rows[r + 1]) : index;
    case 'ArrowUp':
      return r > 0 ? nearest(rows[r - 1]) : index;
    case 'PageDown':
      return Math.max(index, Math.min(last, screen(1)));
    case 'PageUp':
      return Math.min(index, screen(-1));
    case 'Home':
      return 0;
    case 'End':
      return last;
    default:
      return null;
  }
}
