// The timeline: every photo, newest first, months packed in justified rows (layout.js).
//
// It stays smooth with tens of thousands of photos because it is virtual: the month counts
// (GET /timeline) give the whole layout up front, so the page has its real height and
// scroll bar, but only the tiles near the viewport exist in the DOM, and they are recycled
// as the user scrolls. Photos themselves arrive page by page with keyset cursors as the
// scroll position needs them. The filtered views (favorites, archive, trash) have no month
// counts: they grow page by page as the user scrolls down.

import { formatMonth } from './format.js';
import { aspectOf, GAP, HEADER, justify, neighbourOf, rowAt } from './layout.js';
import { createTile, fillTile } from './tiles.js';
import { refreshThumb, watchProcessing } from './watch.js';

const PAGE = 120;
const MAX_PAGE = 200; // the contract's largest `limit`
const OVERSCAN = 800; // px rendered beyond each edge of the viewport

const plural = (n) => `${n} ${n === 1 ? 'photo' : 'photos'}`;

export class Timeline extends EventTarget {
  constructor(root, { onOpen, selection, source }) {
    super();
    this.root = root;
    this.onOpen = onOpen;
    this.selection = selection;
    this.source = source;
    this.tiles = new Map(); // index -> tile element on screen
    this.spare = []; // tiles waiting to be reused
    this.headings = new Map(); // month -> heading element on screen
    this.current = 0; // the tile that is the grid's tab stop
    this.months = [];
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
    this.poller = watchProcessing(this);
  }

  // Forget everything shown (logging out, another view).
  clear() {
    this.reset();
    this.months = [];
    this.groups = [];
    this.geometry = null;
    this.tiles.clear();
    this.headings.clear();
    this.spare = [];
    this.current = 0;
    this.root.replaceChildren();
    this.root.style.height = '0px';
  }

  // Show another view (photos, favorites, archive, trash) from its top.
  show(source) {
    this.source = source;
    this.clear();
    window.scrollTo(0, 0);
    return this.load();
  }

  reset() {
    this.generation = (this.generation || 0) + 1; // answers of an older load are dropped
    this.groups = [];
    this.total = 0;
    this.photos = [];
    this.aspects = { sum: 0, n: 0 };
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
    const source = this.source;
    const months = source.months ? await source.months() : null;
    if (source !== this.source) return;
    this.reset();
    for (const el of this.headings.values()) el.remove(); // their counts may have changed
    this.headings.clear();
    this.months = months ? (Array.isArray(months) ? months : months.months || []).map((m) => ({ ...m })) : [];
    this.total = months ? this.months.reduce((sum, m) => sum + m.count, 0) : 0;
    if (months) this.layout();
    await this.ensure(months ? Math.min(this.total, PAGE) - 1 : PAGE - 1);
    // A photo processed between the counts and the page has moved to the month it was taken
    // in: the counts are read again, after the page, so nothing is left under the wrong month.
    if (months && this.misplaced()) {
      const again = await source.months();
      if (source !== this.source) return;
      this.months = (Array.isArray(again) ? again : again.months || []).map((m) => ({ ...m }));
      this.total = this.months.reduce((sum, m) => sum + m.count, 0);
      for (const el of this.headings.values()) el.remove();
      this.headings.clear();
      this.layout();
    }
    if (!months) this.layout();
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
      const page = await this.source.page({ limit, cursor: this.cursor });
      if (generation !== this.generation) return;
      this.photos.push(...page.items);
      for (const photo of page.items) {
        const a = aspectOf(photo);
        if (a) {
          this.aspects.sum += a;
          this.aspects.n++;
        }
      }
      this.cursor = page.next_cursor;
      this.exhausted = !page.next_cursor;
      if (!this.source.months) {
        this.total = this.photos.length;
      } else if (this.photos.length > this.total || (this.exhausted && this.photos.length < this.total)) {
        // Photos arrived or left since the counts were read: read them again, soon.
        this.dispatchEvent(new Event('stale'));
      }
      if (page.items.length) this.layout();
      if (!this.source.months && this.exhausted) this.dispatchEvent(new Event('loaded'));
    } catch (error) {
      if (generation === this.generation) this.exhausted = true; // offline past what was cached
      this.dispatchEvent(new CustomEvent('error', { detail: error }));
    } finally {
      if (generation === this.generation) this.loading = null;
      this.schedule();
    }
  }

  // -- geometry ----------------------------------------------------------------------------
  // Months (from the counts, or from the photos themselves in the filtered views) packed in
  // justified rows. A photo not loaded yet counts at the mean aspect seen so far; when its page
  // arrives the rows are packed again, keeping what is on screen where it was.
  layout() {
    const width = this.root.clientWidth || window.innerWidth;
    const anchor = this.geometry ? this.anchor() : null;
    this.groups = this.source.months ? this.countGroups() : this.photoGroups();
    const mean = this.aspects.n ? this.aspects.sum / this.aspects.n : 1.4;
    const aspect = (i) => aspectOf(this.photos[i]) || mean;
    this.geometry = justify(this.groups, this.total, aspect, width);
    this.root.style.height = `${this.geometry.height}px`;
    if (anchor && this.total > anchor.index) {
      const delta = this.geometry.y[anchor.index] - anchor.y;
      if (Math.abs(delta) >= 1 && window.scrollY > 0) window.scrollBy(0, delta);
    }
    this.dispatchEvent(new Event('layout'));
  }

  countGroups() {
    let start = 0;
    return this.months.map((m) => {
      const group = { key: m.month, label: formatMonth(m.month), start, count: m.count };
      start += m.count;
      return group;
    });
  }

  // Whether a loaded photo lies outside the month the counts put it in.
  misplaced() {
    return this.groups.some((g) =>
      this.photos.slice(g.start, g.start + g.count).some((photo) => this.source.group(photo) !== g.key),
    );
  }

  photoGroups() {
    const groups = [];
    this.photos.forEach((photo, index) => {
      const key = this.source.group(photo);
      const last = groups[groups.length - 1];
      if (last && last.key === key) last.count++;
      else groups.push({ key, label: key ? formatMonth(key) : '', start: index, count: 1 });
    });
    return groups;
  }

  // The first photo at the top of the screen, and where it is: kept in place by a new layout.
  anchor() {
    const { rows, y } = this.geometry;
    if (!rows.length || window.scrollY <= 0) return null;
    const rootTop = this.root.getBoundingClientRect().top + window.scrollY;
    const row = rows[rowAt(rows, window.scrollY - rootTop + topbarHeight())];
    return row ? { index: row.first, y: y[row.first] } : null;
  }

  // The heading band of group `g` (its top in the timeline), for the scrubber.
  groupTop(g) {
    const heading = this.geometry.headings.find((h) => h.group === g);
    return heading ? heading.y : 0;
  }

  position(index) {
    const { x, y, w, h } = this.geometry;
    return { x: x[index], y: y[index], w: w[index], h: h[index] };
  }

  // -- rendering ---------------------------------------------------------------------------
  render() {
    this.frame = 0;
    if (!this.geometry || !this.geometry.rows.length) return;
    const { rows, headings } = this.geometry;
    const rootTop = this.root.getBoundingClientRect().top + window.scrollY;
    const top = window.scrollY - rootTop - OVERSCAN;
    const bottom = window.scrollY - rootTop + window.innerHeight + OVERSCAN;
    const wanted = new Set();
    let highest = -1;
    for (let r = rowAt(rows, top); r < rows.length && rows[r].y <= bottom; r++) {
      for (let i = rows[r].first; i <= rows[r].last; i++) wanted.add(i);
      highest = Math.max(highest, rows[r].last);
    }
    const shown = new Set();
    for (const heading of headings) {
      if (heading.y + HEADER < top || heading.y > bottom) continue;
      shown.add(heading.key);
      this.heading(heading);
    }
    for (const [key, el] of this.headings) {
      if (!shown.has(key)) {
        el.remove();
        this.headings.delete(key);
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
    // The filtered views learn their length page by page: near the end, the next page.
    const more = this.source.months ? highest : highest + (highest >= this.total - PAGE / 2 ? PAGE : 0);
    if (more >= this.photos.length && !this.exhausted) {
      this.ensure(more).then(() => this.schedule());
    }
  }

  heading(heading) {
    let el = this.headings.get(heading.key);
    if (!el) {
      el = document.createElement('h2');
      el.className = 'month';
      const long = document.createElement('span');
      long.className = 'month-long';
      const short = document.createElement('span');
      short.className = 'month-short';
      short.setAttribute('aria-hidden', 'true');
      el.append(long, short, ' ');
      const count = document.createElement('span');
      count.className = 'month-count';
      el.append(count);
      this.root.append(el);
      this.headings.set(heading.key, el);
    }
    el.dataset.month = heading.key;
    // A month sharing a narrow row says "Dec 2024".
    el.firstChild.textContent = heading.label;
    el.children[1].textContent = heading.key ? formatMonth(heading.key, true) : heading.label;
    el.classList.toggle('narrow', heading.width < 170);
    el.lastChild.textContent = this.source.months || this.exhausted ? plural(heading.count) : '';
    el.style.transform = `translate(${heading.x}px, ${heading.y}px)`;
    el.style.width = `${Math.max(0, heading.width)}px`;
  }

  release(index) {
    const tile = this.tiles.get(index);
    this.tiles.delete(index);
    tile.remove();
    this.spare.push(tile);
  }

  acquire() {
    return this.spare.pop() || createTile((tile, img) => refreshThumb(this, tile, img));
  }

  place(index) {
    let tile = this.tiles.get(index);
    if (!tile) {
      tile = this.acquire();
      this.tiles.set(index, tile);
      this.root.append(tile);
    }
    const { x, y, w, h } = this.position(index);
    tile.style.transform = `translate(${x}px, ${y}px)`;
    tile.style.width = `${w}px`;
    tile.style.height = `${h}px`;
    tile.tabIndex = index === this.current ? 0 : -1;
    this.fill(tile, index);
  }

  fill(tile, index) {
    const photo = this.photos[index];
    fillTile(tile, photo, index, Boolean(photo && this.selection.has(photo.id)));
  }

  // The marks (selected, favorite) of the tiles on screen, after they changed.
  refresh() {
    for (const [index, tile] of this.tiles) this.fill(tile, index);
  }

  // Photos that left this view (trashed, archived...): gone at once, before any reload.
  removeLocal(ids) {
    const gone = new Set(ids);
    if (!this.photos.some((p) => p && gone.has(p.id))) return;
    for (let i = this.photos.length - 1; i >= 0; i--) {
      const photo = this.photos[i];
      if (!photo || !gone.has(photo.id)) continue;
      this.photos.splice(i, 1);
      this.total--;
      if (this.source.months) {
        const g = this.groups.findLast((group) => group.start <= i);
        const month = this.months.find((m) => m.month === g.key);
        if (month) month.count--;
      }
    }
    this.months = (this.months || []).filter((m) => m.count > 0);
    for (const index of [...this.tiles.keys()]) this.release(index);
    this.current = Math.min(this.current, Math.max(0, this.total - 1));
    this.layout();
    this.render();
    this.dispatchEvent(new Event('loaded'));
  }

  // A photo changed (favorite, description...): the same photo, its new fields.
  updateLocal(fresh) {
    const index = this.photos.findIndex((p) => p && p.id === fresh.id);
    if (index < 0) return;
    this.photos[index] = { ...this.photos[index], ...fresh, thumb_url: this.photos[index].thumb_url };
    const tile = this.tiles.get(index);
    if (tile) this.fill(tile, index);
  }

  // -- interaction -------------------------------------------------------------------------
  // Selection clicks (the check, shift, a long press) are handled by selection.js before this.
  click(event) {
    const tile = event.target.closest('.tile');
    if (!tile || tile.disabled || event.defaultPrevented) return;
    const index = Number(tile.dataset.index);
    this.current = index;
    this.onOpen(index);
  }

  key(event) {
    const tile = event.target.closest('.tile');
    if (!tile || event.altKey || event.ctrlKey || event.metaKey) return;
    const index = Number(tile.dataset.index);
    const target = this.neighbour(index, event.key);
    if (target === null) return;
    event.preventDefault();
    this.focus(target);
  }

  neighbour(index, key) {
    return neighbourOf(this.geometry, this.total, index, key, window.innerHeight);
  }

  // Bring photo `index` into view (loading its page if needed) and focus its tile.
  async focus(index) {
    if (index < 0 || index >= this.total) return;
    this.current = index;
    this.scrollTo(index);
    await this.ensure(index);
    this.scrollTo(index); // its page may have moved it
    this.render();
    const tile = this.tiles.get(index);
    if (tile && !tile.disabled) tile.focus({ preventScroll: true });
  }

  scrollTo(index) {
    const { y, h } = this.position(index);
    const rootTop = this.root.getBoundingClientRect().top + window.scrollY;
    const reserved = topbarHeight();
    const tileTop = rootTop + y;
    const viewTop = window.scrollY + reserved;
    const viewBottom = window.scrollY + window.innerHeight;
    if (tileTop < viewTop + HEADER) {
      window.scrollTo({ top: Math.max(0, tileTop - reserved - HEADER) });
    } else if (tileTop + h > viewBottom) {
      window.scrollTo({ top: tileTop + h - window.innerHeight + GAP });
    }
  }

  // Scroll so that the timeline's `top` (px) is just under the top bar.
  scrollToOffset(top) {
    const rootTop = this.root.getBoundingClientRect().top + window.scrollY;
    window.scrollTo({ top: Math.max(0, rootTop + top - topbarHeight()) });
    this.schedule();
  }
}

function topbarHeight() {
  const header = document.querySelector('.topbar');
  return header ? header.getBoundingClientRect().height : 0;
}
