// The scrubber: a strip along the right edge with the years, to jump to any year and month.
// Pointing at it shows the month under the pointer; a click or a drag goes there. It is also
// a slider for the keyboard: arrows step a month, Page Up/Down a year, Home and End.

import { formatMonth } from './format.js';

const LABEL_PX = 18; // the least room between two year labels
const SNAP_PX = 7; // a pointer this near a year's label means that year

export class Scrubber {
  constructor(el, timeline) {
    this.el = el;
    this.timeline = timeline;
    this.years = el.querySelector('.scrubber-years');
    this.thumb = el.querySelector('.scrubber-thumb');
    this.bubble = el.querySelector('.scrubber-bubble');
    this.marks = []; // [{group, top}] of the labelled months, timeline px
    this.dragging = false;
    timeline.addEventListener('layout', () => this.build());
    window.addEventListener('scroll', () => this.follow(), { passive: true });
    window.addEventListener('resize', () => this.build());
    el.addEventListener('pointerdown', (event) => {
      this.dragging = true;
      el.setPointerCapture(event.pointerId);
      this.point(event, true);
    });
    el.addEventListener('pointermove', (event) => this.point(event, this.dragging));
    el.addEventListener('pointerup', () => {
      this.dragging = false;
    });
    el.addEventListener('pointerleave', () => {
      if (!this.dragging) this.bubble.hidden = true;
    });
    el.addEventListener('keydown', (event) => this.key(event));
    el.addEventListener('blur', () => {
      this.bubble.hidden = true;
    });
  }

  // Years at their place along the strip, from the timeline's layout.
  build() {
    const { geometry, groups } = this.timeline;
    const height = geometry ? geometry.height : 0;
    this.marks = geometry
      ? geometry.headings.filter((h) => h.label && h.at !== undefined).map((h) => ({ group: h.group, top: h.y }))
      : [];
    // One heading per group: the first band it starts in.
    const seen = new Set();
    this.marks = this.marks.filter((m) => !seen.has(m.group) && seen.add(m.group));
    this.height = height;
    const useful = this.marks.length > 1 && height > window.innerHeight * 1.5;
    this.el.hidden = !useful;
    document.body.classList.toggle('has-scrubber', useful);
    if (!useful) return;
    const track = this.el.clientHeight;
    const labels = [];
    let lastYear = '';
    let lastTop = -Infinity;
    for (const mark of this.marks) {
      const year = groups[mark.group].key.slice(0, 4);
      if (year === lastYear) continue;
      lastYear = year;
      const top = (mark.top / height) * track;
      if (top - lastTop < LABEL_PX) continue;
      lastTop = top;
      const label = document.createElement('span');
      label.className = 'scrubber-year';
      label.textContent = year;
      label.style.top = `${top}px`;
      label.dataset.mark = String(this.marks.indexOf(mark));
      labels.push(label);
    }
    this.years.replaceChildren(...labels);
    this.el.setAttribute('aria-valuemin', '0');
    this.el.setAttribute('aria-valuemax', String(this.marks.length - 1));
    this.follow();
  }

  // The mark (position in this.marks) of the month at timeline offset `top`.
  markAt(top) {
    let found = 0;
    for (let m = 0; m < this.marks.length; m++) {
      if (this.marks[m].top <= top + 1) found = m;
      else break;
    }
    return found;
  }

  label(m) {
    return formatMonth(this.timeline.groups[this.marks[m].group].key);
  }

  // Where the user is: the thumb and the slider's value follow the scrolling.
  follow() {
    if (this.el.hidden || !this.marks.length) return;
    const root = this.timeline.root;
    const offset = window.scrollY - (root.getBoundingClientRect().top + window.scrollY) + topbar() + 1;
    const m = this.markAt(Math.max(0, offset));
    this.current = m;
    this.thumb.style.top = `${(Math.max(0, offset) / this.height) * this.el.clientHeight}px`;
    this.el.setAttribute('aria-valuenow', String(m));
    this.el.setAttribute('aria-valuetext', this.label(m));
  }

  point(event, jump) {
    if (!this.marks.length) return;
    const rect = this.el.getBoundingClientRect();
    const fraction = Math.min(1, Math.max(0, (event.clientY - rect.top) / rect.height));
    // On a year's label: that year's first month, not the end of the month before it.
    const label = [...this.years.children].find((el) => Math.abs(parseFloat(el.style.top) - (event.clientY - rect.top)) < SNAP_PX);
    const m = label ? Number(label.dataset.mark) : this.markAt(fraction * this.height);
    this.bubble.hidden = false;
    this.bubble.textContent = this.label(m);
    this.bubble.style.top = `${event.clientY - rect.top}px`;
    if (jump) this.go(m);
  }

  go(m) {
    const target = Math.max(0, Math.min(this.marks.length - 1, m));
    this.timeline.scrollToOffset(this.marks[target].top);
    this.current = target;
    this.el.setAttribute('aria-valuenow', String(target));
    this.el.setAttribute('aria-valuetext', this.label(target));
  }

  // The first (newest) month of the year before or after the current one.
  yearStep(direction) {
    const year = (m) => this.timeline.groups[this.marks[m].group].key.slice(0, 4);
    let m = this.current;
    const start = year(m);
    if (direction > 0) {
      while (m < this.marks.length - 1 && year(m) === start) m++;
      return m;
    }
    while (m > 0 && year(m - 1) === start) m--;
    if (m !== this.current) return m;
    if (m === 0) return 0;
    const previous = year(m - 1);
    m--;
    while (m > 0 && year(m - 1) === previous) m--;
    return m;
  }

  key(event) {
    const steps = {
      ArrowDown: () => this.current + 1,
      ArrowRight: () => this.current + 1,
      ArrowUp: () => this.current - 1,
      ArrowLeft: () => this.current - 1,
      PageDown: () => this.yearStep(1),
      PageUp: () => this.yearStep(-1),
      Home: () => 0,
      End: () => this.marks.length - 1,
    };
    const step = steps[event.key];
    if (!step) return;
    event.preventDefault();
    const m = step();
    this.go(m);
    this.bubble.hidden = false;
    this.bubble.textContent = this.label(this.current);
    this.bubble.style.top = `${(this.marks[this.current].top / this.height) * this.el.clientHeight}px`;
  }
}

function topbar() {
  const header = document.querySelector('.topbar');
  return header ? header.getBoundingClientRect().height : 0;
}
