// The four views of the library, each a source of photos for the timeline: all photos (with
// month counts from GET /timeline, so the whole scroll bar is known up front), favorites,
// the archive and the trash (page by page).

import { api } from './api.js';

const monthOf = (photo) => (photo.taken_at || '').slice(0, 7);

export const VIEWS = {
  photos: {
    key: 'photos',
    title: 'Photos',
    months: () => api.timeline(),
    page: (options) => api.photos(options),
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

// The view named in the address (#favorites...), so a reload stays where the user was.
export function viewFromHash() {
  const name = window.location.hash.replace(/^#/, '');
  return VIEWS[name] || VIEWS.photos;
}
