// The timeline: every photo, newest first, under month headings.
//
// It stays smooth with tens of thousands of photos because it is virtual: the month counts
// (GET /timeline) give the whole layout up front, so the page has its real height and
// scroll bar, but only the tiles near the viewport exist in the DOM, and they are recycled
// as the user scrolls. Photos themselves arrive page by page with keyset cursors as the
// scroll position needs them.

import { api } from './api.js';
import { formatMonth, photoLabel } from './format.js';
import { describeDamage, describeFailure } from './messages.js';
import { thumbHashDataURL } from './thumbhash.js';

const PAGE = 120;
const MAX_PAGE = 200; // the contract's largest `limit`
const HEADER = 52; // px of a month heading
const GAP = 4;
const OVERSCAN = 800; // px rendered beyond each edge of the viewport
const POLL_MS = 2500;

export class Timeline extends EventTarget {
  constructor(root, { onOpen }) {
    super();
    this.root = root;
    this.onOpen = onOpen;
    this.tiles = new Map(); // index -> tile element on screen
    this.spare = []; // tiles waiting to be reused
    this.headings = new Map(); // month -> heading element on screen
    this.current = 0; // the tile that is the grid's tab stop
    this.reset();
    this.frame = 0;
    this.schedule = () => {
      if (!this.frame) this.frame = requestAnimationFrame(() => this.render());
    };
    this.onResize = () => {
      this.layout();
      this.schedule();
    };
    window.addEventListener('scroll', this.schedule, { passive: true });
    window.addEventListener('resize', this.onResize);
    root.addEventListener('click', (event) => this.click(event));
    root.addEventListener('keydown', (event) => this.key(event));
    this.poller = setInterval(() => this.poll(), POLL_MS);
  }

  // Forget everything shown (logging out).
  clear() {
    this.reset();
    this.months = [];
    this.sections = [];
    this.tiles.clear();
    this.headings.clear();
    this.spare = [];
    this.current = 0;
    this.root.replaceChildren();
    this.root.style.height = '0px';
  }

  reset() {
    this.generation = (this.generation || 0) + 1; // answers of an older load are dropped
    this.sections = [];
    this.total = 0;
    this.photos = [];
    this.cursor = null;
    this.exhausted = false;
    this.loading = null;
  }

  get count() {
    return this.total;
  }

  get(index) {
    return this.photos[index] || null;
  }

  // (Re)load the month counts and the first page, keeping the scroll position.
  async load() {
    const months = await api.timeline();
    this.reset();
    for (const el of this.headings.values()) el.remove(); // their counts may have changed
    this.headings.clear();
    this.months = Array.isArray(months) ? months : months.months || [];
    this.total = this.months.reduce((sum, m) => sum + m.count, 0);
    this.layout();
    await this.ensure(Math.min(this.total, PAGE) - 1);
    this.render();
    this.dispatchEvent(new Event('loaded'));
  }

  // Fetch pages until photo `index` is known (or there are no more).
  async ensure(index) {
    while (this.photos.length <= index && !this.exhausted) {
      // Far behind (a jump to the end of the scroll bar): the largest pages the API allows.
      const limit = index - this.photos.length >= PAGE ? MAX_PAGE : PAGE;
      if (!this.loading) this.loading = this.fetchPage(this.generation, limit);
      await this.loading;
    }
  }

  async fetchPage(generation, limit) {
    try {
      const page = await api.photos({ limit, cursor: this.cursor });
      if (generation !== this.generation) return;
      this.photos.push(...page.items);
      this.cursor = page.next_cursor;
      this.exhausted = !page.next_cursor;
      if (this.photos.length > this.total || (this.exhausted && this.photos.length < this.total)) {
        // Photos arrived or left since the counts were read: read them again, soon.
        this.dispatchEvent(new Event('stale'));
      }
    } catch (error) {
      if (generation === this.generation) this.exhausted = true; // offline past what was cached
      this.dispatchEvent(new CustomEvent('error', { detail: error }));
    } finally {
      if (generation === this.generation) this.loading = null;
      this.schedule();
    }
  }

  // -- geometry ----------------------------------------------------------------------------
  layout() {
    const width = this.root.clientWidth || window.innerWidth;
    const target = width < 600 ? 110 : width < 1100 ? 150 : 190;
    this.cols = Math.max(3, Math.round(width / target));
    this.size = (width - GAP * (this.cols - 1)) / this.cols;
    this.rowHeight = this.size + GAP;
    let top = 0;
    let start = 0;
    this.sections = this.months.map((m) => {
      const rows = Math.ceil(m.count / this.cols);
      const section = { month: m.month, count: m.count, start, top, gridTop: top + HEADER, rows };
      top += HEADER + rows * this.rowHeight;
      start += m.count;
      return section;
    });
    this.height = top;
    this.root.style.height = `${top}px`;
  }

  sectionOf(index) {
    let lo = 0;
    let hi = this.sections.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.sections[mid].start <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  position(index) {
    const s = this.sections[this.sectionOf(index)];
    const k = index - s.start;
    const row = Math.floor(k / this.cols);
    const col = k % this.cols;
    return { x: col * (this.size + GAP), y: s.gridTop + row * this.rowHeight, row, col };
  }

  // -- rendering ---------------------------------------------------------------------------
  render() {
    this.frame = 0;
    if (!this.sections.length) return;
    const rootTop = this.root.getBoundingClientRect().top + window.scrollY;
    const top = window.scrollY - rootTop - OVERSCAN;
    const bottom = window.scrollY - rootTop + window.innerHeight + OVERSCAN;
    const wanted = new Set();
    const months = new Set();
    let highest = -1;
    for (const s of this.sections) {
      const end = s.gridTop + s.rows * this.rowHeight;
      if (end < top || s.top > bottom) continue;
      months.add(s.month);
      this.heading(s);
      const first = Math.max(0, Math.floor((top - s.gridTop) / this.rowHeight));
      const last = Math.min(s.rows - 1, Math.floor((bottom - s.gridTop) / this.rowHeight));
      for (let row = first; row <= last; row++) {
        for (let col = 0; col < this.cols; col++) {
          const k = row * this.cols + col;
          if (k >= s.count) break;
          wanted.add(s.start + k);
          highest = Math.max(highest, s.start + k);
        }
      }
    }
    for (const [month, el] of this.headings) {
      if (!months.has(month)) {
        el.remove();
        this.headings.delete(month);
      }
    }
    for (const [index, tile] of this.tiles) {
      if (!wanted.has(index) && tile !== document.activeElement) this.release(index);
    }
    if (!wanted.has(this.current) || !this.photos[this.current]) {
      const visible = [...wanted].filter((i) => this.photos[i]).sort((a, b) => a - b);
      if (visible.length) this.current = visible[0];
    }
    for (const index of wanted) this.place(index);
    if (highest >= this.photos.length && !this.exhausted) {
      this.ensure(highest).then(() => this.schedule());
    }
  }

  heading(section) {
    let el = this.headings.get(section.month);
    if (!el) {
      el = document.createElement('h2');
      el.className = 'month';
      el.textContent = formatMonth(section.month);
      const count = document.createElement('span');
      count.className = 'month-count';
      count.textContent = `${section.count} ${section.count === 1 ? 'photo' : 'photos'}`;
      el.append(' ', count);
      this.root.append(el);
      this.headings.set(section.month, el);
    }
    el.style.transform = `translateY(${section.top}px)`;
  }

  release(index) {
    const tile = this.tiles.get(index);
    this.tiles.delete(index);
    tile.remove();
    this.spare.push(tile);
  }

  acquire() {
    const reused = this.spare.pop();
    if (reused) return reused;
    const tile = document.createElement('button');
    tile.type = 'button';
    tile.className = 'tile';
    const img = document.createElement('img');
    img.className = 'thumb';
    img.decoding = 'async';
    img.draggable = false;
    img.alt = '';
    img.addEventListener('load', () => img.classList.add('loaded'));
    img.addEventListener('error', () => this.thumbFailed(tile, img));
    const badge = document.createElement('span');
    badge.className = 'badge';
    badge.setAttribute('aria-hidden', 'true');
    tile.append(img, badge);
    return tile;
  }

  place(index) {
    let tile = this.tiles.get(index);
    if (!tile) {
      tile = this.acquire();
      this.tiles.set(index, tile);
      this.root.append(tile);
    }
    const { x, y } = this.position(index);
    tile.style.transform = `translate(${x}px, ${y}px)`;
    tile.style.width = tile.style.height = `${this.size}px`;
    tile.tabIndex = index === this.current ? 0 : -1;
    this.fill(tile, index);
  }

  fill(tile, index) {
    const photo = this.photos[index];
    const img = tile.firstChild;
    const damage = photo && photo.damaged ? photo.damaged.code : '';
    const key = photo ? `${photo.id}|${photo.status}|${damage}|${photo.thumb_url || ''}` : '';
    if (tile.dataset.key === key && tile.dataset.index === String(index)) return;
    tile.dataset.key = key;
    tile.dataset.index = String(index);
    if (!photo) {
      tile.disabled = true;
      tile.className = 'tile loading';
      tile.removeAttribute('aria-label');
      tile.style.backgroundImage = '';
      img.removeAttribute('src');
      img.classList.remove('loaded');
      delete tile.dataset.id;
      delete tile.dataset.filename;
      delete tile.dataset.damaged;
      return;
    }
    tile.disabled = false;
    tile.className = `tile ${photo.status}${damage ? ' damaged' : ''}`;
    tile.dataset.id = photo.id;
    tile.dataset.takenAt = photo.taken_at;
    tile.dataset.filename = photo.filename;
    tile.dataset.status = photo.status;
    if (damage) tile.dataset.damaged = damage;
    else delete tile.dataset.damaged;
    let label = photoLabel(photo);
    if (photo.status === 'processing') label += ' (still processing)';
    if (photo.status === 'failed') label += ` (could not be processed: ${describeFailure(photo.error)})`;
    if (damage) label += ` (damaged: ${describeDamage(photo.damaged)})`;
    tile.setAttribute('aria-label', label);
    tile.title = label;
    const placeholder = thumbHashDataURL(photo.thumbhash);
    tile.style.backgroundImage = placeholder ? `url("${placeholder}")` : '';
    img.alt = label;
    img.classList.remove('loaded');
    delete img.dataset.retried;
    if (photo.thumb_url) img.src = photo.thumb_url;
    else img.removeAttribute('src');
  }

  // A thumbnail URL is presigned and short-lived: ask for a fresh one, once.
  async thumbFailed(tile, img) {
    const photo = this.photos[Number(tile.dataset.index)];
    if (!photo || photo.status !== 'ready' || img.dataset.retried || !img.getAttribute('src')) return;
    img.dataset.retried = '1';
    try {
      const { url } = await api.variant(photo.id, 'thumb');
      if (tile.dataset.id === photo.id) img.src = url;
      photo.thumb_url = url;
    } catch {
      // offline and never seen: the thumbhash placeholder stays
    }
  }

  // Photos still processing on screen are asked about again until they are ready.
  async poll() {
    if (document.hidden) return;
    const waiting = [...this.tiles.keys()]
      .map((i) => [i, this.photos[i]])
      .filter(([, p]) => p && p.status === 'processing')
      .slice(0, 24);
    let changed = false;
    await Promise.all(
      waiting.map(async ([index, photo]) => {
        try {
          const fresh = await api.photo(photo.id);
          if (fresh.status === photo.status) return;
          if (fresh.status === 'ready') fresh.thumb_url = (await api.variant(photo.id, 'thumb')).url;
          if (this.photos[index] && this.photos[index].id === photo.id) {
            this.photos[index] = fresh;
            const tile = this.tiles.get(index);
            if (tile) this.fill(tile, index);
            changed = true;
          }
        } catch {
          // try again at the next tick
        }
      }),
    );
    // A processed photo moves to the month it was taken in: the layout must be read again.
    if (changed) this.dispatchEvent(new Event('stale'));
  }

  // -- interaction -------------------------------------------------------------------------
  click(event) {
    const tile = event.target.closest('.tile');
    if (!tile || tile.disabled) return;
    const index = Number(tile.dataset.index);
    this.current = index;
    this.onOpen(index);
  }

  key(event) {
    const tile = event.target.closest('.tile');
    if (!tile) return;
    const index = Number(tile.dataset.index);
    const target = this.neighbour(index, event.key);
    if (target === null) return;
    event.preventDefault();
    this.focus(target);
  }

  neighbour(index, key) {
    const last = this.total - 1;
    const s = this.sectionOf(index);
    const sec = this.sections[s];
    const { row, col } = this.position(index);
    const perScreen = Math.max(1, Math.floor(window.innerHeight / this.rowHeight)) * this.cols;
    switch (key) {
      case 'ArrowRight':
        return Math.min(last, index + 1);
      case 'ArrowLeft':
        return Math.max(0, index - 1);
      case 'ArrowDown':
        if (row + 1 < sec.rows) return Math.min(sec.start + sec.count - 1, index + this.cols);
        if (s + 1 < this.sections.length) {
          const next = this.sections[s + 1];
          return next.start + Math.min(col, next.count - 1);
        }
        return index;
      case 'ArrowUp':
        if (row > 0) return index - this.cols;
        if (s > 0) {
          const prev = this.sections[s - 1];
          const lastRow = prev.rows - 1;
          return prev.start + Math.min(lastRow * this.cols + col, prev.count - 1);
        }
        return index;
      case 'PageDown':
        return Math.min(last, index + perScreen);
      case 'PageUp':
        return Math.max(0, index - perScreen);
      case 'Home':
        return 0;
      case 'End':
        return last;
      default:
        return null;
    }
  }

  // Bring photo `index` into view (loading its page if needed) and focus its tile.
  async focus(index) {
    if (index < 0 || index >= this.total) return;
    this.current = index;
    this.scrollTo(index);
    await this.ensure(index);
    this.render();
    const tile = this.tiles.get(index);
    if (tile && !tile.disabled) tile.focus({ preventScroll: true });
  }

  scrollTo(index) {
    const { y } = this.position(index);
    const rootTop = this.root.getBoundingClientRect().top + window.scrollY;
    const header = document.querySelector('.topbar');
    const reserved = header ? header.getBoundingClientRect().height : 0;
    const tileTop = rootTop + y;
    const viewTop = window.scrollY + reserved;
    const viewBottom = window.scrollY + window.innerHeight;
    if (tileTop < viewTop + HEADER) {
      window.scrollTo({ top: Math.max(0, tileTop - reserved - HEADER) });
    } else if (tileTop + this.size > viewBottom) {
      window.scrollTo({ top: tileTop + this.size - window.innerHeight + GAP });
    }
  }
}
