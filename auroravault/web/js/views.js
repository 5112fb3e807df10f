// The views of the library. Most are a source of photos for the timeline: all photos (with
// month counts from GET /timeline, so the whole scroll bar is known up front), favorites,
// the archive, the trash, one album and a search (page by page). The albums list, the places
// and the map are pages of their own (albums.js, places.js, map.js).

import { api } from './api.js';
import { memoryView, photoView } from './memories.js';

const monthOf = (photo) => (photo.taken_at || '').slice(0, 7);

// Whether a partner's library is in the viewer's timeline (partners.js keeps it): the Photos
// view then merges it (with_partners) and pages without month counts, which count one library.
export const timelineState = { partners: false };

export const VIEWS = {
  photos: {
    key: 'photos',
    title: 'Photos',
    get months() {
      return timelineState.partners ? null : () => api.timeline();
    },
    page: (options) => api.photos(timelineState.partners ? { ...options, with_partners: true } : options),
    group: monthOf,
    empty: 'No photos yet. Press Upload or drop photos anywhere on this page.',
  },
  favorites: {
    key: 'favorites',
    title: 'Favorites',
    months: null,
    page: (options) => api.photos({ ...options, favorite: true }),
    group: monthOf,
    empty: 'No favorites yet. Press ♡ on a photo, or select photos and press Favorite.',
  },
  archive: {
    key: 'archive',
    title: 'Archive',
    months: null,
    page: (options) => api.photos({ ...options, archived: 'only' }),
    group: monthOf,
    empty: 'Nothing archived. Archived photos stay in your vault, out of the timeline.',
  },
  trash: {
    key: 'trash',
    title: 'Trash',
    months: null,
    page: (options) => api.trash(options),
    group: () => '',
    empty: 'The trash is empty.',
  },
};

// One album's photos, in the album's own order.
export function albumView(albumId) {
  return {
    key: 'album',
    albumId,
    title: '',
    months: null,
    page: (options) => api.albumPhotos(albumId, options),
    group: monthOf,
    empty: 'This album is empty. Select photos in the timeline and press Add to album.',
  };
}

// One person's photos (GET /people/{id}/photos), newest first; people.js names the title.
export function personView(personId) {
  return {
    key: 'person',
    personId,
    title: 'Person',
    months: null,
    page: (options) => api.personPhotos(personId, options),
    group: monthOf,
    empty: 'No photos of this person are left.',
  };
}

// The filters a search may carry in the address, in the order the chips show them.
export const SEARCH_FIELDS = [
  'q',
  'person',
  'country',
  'city',
  'camera',
  'year',
  'from',
  'to',
  'favorite',
  'type',
  'has_location',
  'album',
];

// A search: `filters` as GET /search takes them ({q, city, country, ...}); `year` is a
// suggestion's shorthand for from..to of that year.
export function searchView(filters) {
  const query = { ...filters };
  if (query.year) {
    query.from = query.from || `${query.year}-01-01`;
    query.to = query.to || `${query.year}-12-31`;
    delete query.year;
  }
  return {
    key: 'search',
    filters,
    title: 'Search',
    months: null,
    page: (options) => api.search({ ...query, ...options }),
    group: monthOf,
    empty: 'No photos match this search.',
  };
}

export function searchHash(filters) {
  const query = new URLSearchParams();
  for (const name of SEARCH_FIELDS) if (filters[name]) query.set(name, filters[name]);
  return `#search?${query}`;
}

// What the address names (#favorites, #album/ID, #search?q=..., #places/PT...), so a reload
// stays where the user was: {view} for the timeline, or {page, arg} for a page of its own.
export function routeFromHash() {
  const hash = window.location.hash.replace(/^#\/?/, ''); // emails link to #/join/<token>
  const [path, queryText = ''] = hash.split('?');
  const [name, arg = ''] = path.split('/');
  if (VIEWS[name]) return { view: VIEWS[name] };
  if (name === 'album' && arg) return { view: albumView(decodeURIComponent(arg)) };
  if (name === 'memory' && arg) return { view: memoryView(decodeURIComponent(arg)) };
  if (name === 'person' && arg) return { view: personView(decodeURIComponent(arg)) };
  if (name === 'photo' && arg) return { view: photoView(decodeURIComponent(arg)) };
  if (name === 'search') {
    const query = new URLSearchParams(queryText);
    const filters = {};
    for (const field of SEARCH_FIELDS) if (query.get(field)) filters[field] = query.get(field);
    return { view: searchView(filters) };
  }
  if (['albums', 'places', 'events', 'similar', 'map', 'family', 'join', 'settings', 'partners', 'people'].includes(name)) {
    return { page: name, arg: decodeURIComponent(arg) };
  }
  return { view: VIEWS.photos };
}

export function viewFromHash() {
  return routeFromHash().view || VIEWS.photos;
}
