// The search box in the top bar, its typeahead suggestions and the filter chips above the
// results. A search lives in the address (#search?q=beach&country=Portugal&year=2019), so it
// can be reloaded, shared between tabs and stepped through with Back; its results show in the
// same timeline and viewer as every other view (views.js).
//
// Typing asks GET /search/suggestions for the people, cities, countries, cameras and years that
// start with the text; choosing one adds it as a chip (a person: `person=<name>`, their photos
// only). Enter searches the text itself (`q`, which matches people's names too). Where face
// recognition is off the server refuses field=person (422) and no person is offered.

import { api } from './api.js';
import { SEARCH_FIELDS, searchHash } from './views.js';

const $ = (id) => document.getElementById(id);
const SUGGESTED = ['person', 'city', 'country', 'camera', 'year'];
const LABELS = {
  q: 'Text',
  person: 'Person',
  city: 'City',
  country: 'Country',
  camera: 'Camera',
  year: 'Year',
  from: 'From',
  to: 'To',
  album: 'Album',
  favorite: 'Favorites',
  type: 'Videos',
  has_location: 'With a place',
};
// Filters that are on or off: a chip each, always offered in a search.
const TOGGLES = [
  ['favorite', 'true'],
  ['type', 'video'],
  ['has_location', 'true'],
];
const DEBOUNCE_MS = 180;
const MAX_PER_FIELD = 4;

export class SearchBox {
  constructor({ currentFilters }) {
    this.input = $('search-input');
    this.list = $('search-suggestions');
    this.currentFilters = currentFilters; // the filters of the search shown, else {}
    this.options = [];
    this.active = -1;
    this.timer = 0;
    this.asked = 0;
    this.input.addEventListener('input', () => this.typed());
    this.input.addEventListener('keydown', (event) => this.key(event));
    this.input.addEventListener('blur', () => setTimeout(() => this.close(), 150));
    $('search-form').addEventListener('submit', (event) => {
      event.preventDefault();
      if (this.active >= 0) this.choose(this.options[this.active]);
      else this.searchText();
    });
  }

  typed() {
    clearTimeout(this.timer);
    const prefix = this.input.value.trim();
    if (!prefix) {
      this.close();
      return;
    }
    this.timer = setTimeout(() => this.suggest(prefix), DEBOUNCE_MS);
  }

  async suggest(prefix) {
    const asked = ++this.asked;
    const fields = SUGGESTED.filter((field) => field !== 'year' || /^\d/.test(prefix));
    const answers = await Promise.all(
      fields.map((field) =>
        api
          .suggestions(field, prefix)
          .then((answer) => (answer.values || []).slice(0, MAX_PER_FIELD).map((v) => ({ field, ...v })))
          .catch(() => []),
      ),
    );
    if (asked !== this.asked || this.input.value.trim() !== prefix) return; // typed on meanwhile
    this.show(answers.flat(), prefix);
  }

  show(options, prefix) {
    // The text itself first: Enter searches it as typed.
    this.options = [{ field: 'q', value: prefix }, ...options];
    this.active = -1;
    this.list.replaceChildren();
    this.options.forEach((option, index) => {
      const item = document.createElement('li');
      item.id = `suggestion-${index}`;
      item.setAttribute('role', 'option');
      item.dataset.field = option.field;
      item.dataset.value = String(option.value);
      const label = document.createElement('span');
      label.className = 'suggestion-field';
      label.textContent = option.field === 'q' ? 'Search for' : LABELS[option.field];
      const value = document.createElement('span');
      value.textContent = String(option.value);
      item.append(label, value);
      if (option.count != null) {
        const count = document.createElement('span');
        count.className = 'suggestion-count';
        count.textContent = option.count.toLocaleString();
        item.append(count);
      }
      item.addEventListener('mousedown', (event) => {
        event.preventDefault(); // keeps the focus (and the list) until the click
        this.choose(option);
      });
      this.list.append(item);
    });
    this.list.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
  }

  close() {
    this.list.hidden = true;
    this.active = -1;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
  }

  key(event) {
    if (this.list.hidden || !this.options.length) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      this.active = (this.active + step + this.options.length) % this.options.length;
      for (const [index, item] of [...this.list.children].entries()) {
        item.setAttribute('aria-selected', String(index === this.active));
      }
      this.input.setAttribute('aria-activedescendant', `suggestion-${this.active}`);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      this.close();
    }
  }

  choose(option) {
    this.close();
    this.input.value = '';
    this.go({ ...this.currentFilters(), [option.field]: String(option.value) });
  }

  searchText() {
    const text = this.input.value.trim();
    this.close();
    if (!text) return;
    this.input.value = '';
    this.go({ ...this.currentFilters(), q: text });
  }

  go(filters) {
    window.location.hash = searchHash(filters);
  }
}

// The chips of a search: one per filter in force (× takes it away), then the on/off filters.
export function showChips(filters, { albumName = null } = {}) {
  const root = $('search-chips');
  root.replaceChildren();
  for (const field of SEARCH_FIELDS) {
    const value = filters[field];
    if (!value || TOGGLES.some(([name]) => name === field)) continue;
    const chip = document.createElement('button');
    chip.type = 'button';
    chip.className = 'chip on';
    chip.dataset.field = field;
    const shown = field === 'album' && albumName ? albumName : value;
    chip.textContent = `${LABELS[field]}: ${shown}`;
    chip.setAttribute('aria-label', `${LABELS[field]}: ${shown}, remove this filter`);
    const cross = document.createElement('span');
    cross.setAttribute('aria-hidden', 'true');
    cross.textContent = ' ×';
    chip.append(cross);
    chip.addEventListener('click', () => {
      const rest = { ...filters };
      delete rest[field];
      window.location.hash = searchHash(rest);
    });
    root.append(chip);
  }
  for (const [field, on] of TOGGLES) {
    const chip = document.createElement('button');
    chip.type = 'button';
    chip.className = filters[field] === on ? 'chip on' : 'chip';
    chip.dataset.field = field;
    chip.setAttribute('aria-pressed', String(filters[field] === on));
    chip.textContent = LABELS[field];
    chip.addEventListener('click', () => {
      const next = { ...filters };
      if (next[field] === on) delete next[field];
      else next[field] = on;
      window.location.hash = searchHash(next);
    });
    root.append(chip);
  }
  root.hidden = false;
}

export function hideChips() {
  $('search-chips').hidden = true;
}

// "Beach · Portugal · 2019": the title of a search.
export function searchTitle(filters) {
  const words = SEARCH_FIELDS.filter((f) => filters[f] && !TOGGLES.some(([name]) => name === f) && f !== 'album').map(
    (f) => filters[f],
  );
  return words.length ? `Search: ${words.join(' · ')}` : 'Search';
}
