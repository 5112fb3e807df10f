// The only module that talks to the AuroraVault server, and only through the public
// HTTP contract (/api/v1): the app works the same on every storage and meta backend.

const BASE = '/api/v1';
const SESSION_KEY = 'auroravault.session';

export class ApiError extends Error {
  constructor(status, code, detail, { retryAfter = null, errors = null } = {}) {
    super(detail || code);
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.retryAfter = retryAfter; // seconds, from Retry-After
    this.errors = errors; // per-file problems of a refused batch
  }

  // Worth trying again later: no answer at all, throttling, or the server's own trouble.
  get transient() {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

function parseRetryAfter(value) {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.round((date - Date.now()) / 1000));
}

export const session = {
  get() {
    try {
      const value = JSON.parse(localStorage.getItem(SESSION_KEY));
      if (!value || !value.token) return null;
      if (value.expires_at && Date.parse(value.expires_at) < Date.now()) return null;
      return value;
    } catch {
      return null;
    }
  },
  set(value) {
    localStorage.setItem(SESSION_KEY, JSON.stringify(value));
  },
  clear() {
    localStorage.removeItem(SESSION_KEY);
  },
};

let unauthorizedHandler = () => {};
let cacheHandler = () => {};

// Called when a request with a token answers 401: the session is over.
export function onUnauthorized(fn) {
  unauthorizedHandler = fn;
}

// Called with true when an answer came from the service worker's offline cache.
export function onCacheState(fn) {
  cacheHandler = fn;
}

export async function request(method, path, body, { auth = true, passive = false } = {}) {
  const headers = { Accept: 'application/json, application/problem+json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const current = session.get();
  if (auth && current) headers.Authorization = `Bearer ${current.token}`;
  let response;
  try {
    response = await fetch(BASE + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'network_error', 'The server could not be reached.');
  }
  if (method === 'GET') cacheHandler(response.headers.get('X-AuroraVault-Cache') === 'offline');
  if (response.status === 204) return null;
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const error = new ApiError(response.status, (data && data.code) || `http_${response.status}`, data && data.detail, {
      retryAfter: parseRetryAfter(response.headers.get('Retry-After')),
      errors: data && Array.isArray(data.errors) ? data.errors : null,
    });
    // A passive call (a nicety beside the page) leaves ending the session to the calls that matter.
    if (auth && current && response.status === 401 && !passive) unauthorizedHandler(error);
    throw error;
  }
  return data;
}

const id = (value) => encodeURIComponent(value);

// An image the server guards with the session (a person's face crop): fetched with the token
// and handed back as a blob: URL for an <img>. ``path`` is the /api/v1/... URL the server gave.
export async function blobUrl(path) {
  const current = session.get();
  const headers = current ? { Authorization: `Bearer ${current.token}` } : {};
  let response;
  try {
    response = await fetch(path, { headers });
  } catch {
    throw new ApiError(0, 'network_error', 'The server could not be reached.');
  }
  if (!response.ok) throw new ApiError(response.status, `http_${response.status}`, 'The image could not be loaded.');
  return URL.createObjectURL(await response.blob());
}

// A query string of the values that are set (null, undefined and '' are left out).
function pageQuery(values) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    if (value !== null && value !== undefined && value !== '') query.set(name, String(value));
  }
  return query;
}

export const api = {
  // inviteToken: a family invitation's, which joins it (and opens a closed registration).
  register: (email, password, displayName, inviteToken = null) =>
    request(
      'POST',
      '/auth/register',
      { email, password, display_name: displayName, ...(inviteToken ? { invite_token: inviteToken } : {}) },
      { auth: false },
    ),
  login: (email, password) => request('POST', '/auth/login', { email, password }, { auth: false }),
  logout: () => request('POST', '/auth/logout'),
  requestReset: (email) => request('POST', '/auth/password-reset', { email }, { auth: false }),
  confirmReset: (token, password) =>
    request('POST', '/auth/password-reset/confirm', { token, password }, { auth: false }),
  me: () => request('GET', '/users/me'),
  timeline: () => request('GET', '/timeline'),
  // filters: {favorite: true} or {archived: 'only'} (DESIGN "Library").
  photos: ({ limit = 100, cursor = null, order = 'newest', ...filters } = {}) => {
    const query = new URLSearchParams({ limit: String(limit), order });
    if (cursor) query.set('cursor', cursor);
    for (const [name, value] of Object.entries(filters)) query.set(name, String(value));
    return request('GET', `/photos?${query}`);
  },
  trash: ({ limit = 100, cursor = null } = {}) => {
    const query = new URLSearchParams({ limit: String(limit) });
    if (cursor) query.set('cursor', cursor);
    return request('GET', `/trash?${query}`);
  },
  // {favorite?, archived?, description?, taken_at?} -> the photo.
  editPhoto: (photoId, changes) => request('PATCH', `/photos/${id(photoId)}`, changes),
  // Many at once: {updated, errors}.
  editPhotos: (ids, changes) => request('PATCH', '/photos', { ids, ...changes }),
  trashPhotos: (ids) => request('POST', '/photos/trash', { ids }),
  // Without ids: the whole trash.
  restore: (ids) => request('POST', '/trash/restore', ids ? { ids } : {}),
  deleteForever: (ids) => request('POST', '/trash/delete', ids ? { ids } : {}),
  photo: (photoId) => request('GET', `/photos/${id(photoId)}`),
  // {url, expires_at} of a presigned GET for original | preview | thumb; a trashed photo's
  // files are reached in the trash (its owner only).
  variant: (photoId, variant, { trashed = false } = {}) =>
    request('GET', `/${trashed ? 'trash' : 'photos'}/${id(photoId)}/${variant}?redirect=false`),
  // Albums (DESIGN "Albums").
  albums: ({ filter = 'all', limit = 200, cursor = null } = {}) =>
    request('GET', `/albums?${pageQuery({ filter, limit, cursor })}`),
  album: (albumId) => request('GET', `/albums/${id(albumId)}`),
  createAlbum: (name, photoIds) => request('POST', '/albums', photoIds ? { name, photo_ids: photoIds } : { name }),
  // {name?, description?, cover_photo_id?, order?} -> the album.
  editAlbum: (albumId, changes) => request('PATCH', `/albums/${id(albumId)}`, changes),
  deleteAlbum: (albumId) => request('DELETE', `/albums/${id(albumId)}`),
  addToAlbum: (albumId, ids) => request('POST', `/albums/${id(albumId)}/photos`, { ids }),
  removeFromAlbum: (albumId, ids) => request('POST', `/albums/${id(albumId)}/photos/remove`, { ids }),
  albumPhotos: (albumId, { limit = 100, cursor = null } = {}) =>
    request('GET', `/albums/${id(albumId)}/photos?${pageQuery({ limit, cursor })}`),
  // Search (DESIGN "Search, places, map, memories"): filters {q, from, to, camera, city, ...}.
  search: ({ limit = 100, cursor = null, ...filters } = {}) =>
    request('GET', `/search?${pageQuery({ ...filters, limit, cursor })}`),
  suggestions: (field, prefix) => request('GET', `/search/suggestions?${pageQuery({ field, prefix })}`),
  places: () => request('GET', '/places'),
  people: () => request('GET', '/people'),
  editPerson: (personId, changes) => request('PATCH', `/people/${id(personId)}`, changes),
  mergePeople: (personId, ids) => request('POST', `/people/${id(personId)}/merge`, { ids }),
  // {queued}: face detection queued for the photos never looked at; {moved}: faces regrouped.
  findPeople: () => request('POST', '/people/backfill'),
  regroupPeople: () => request('POST', '/people/recluster'),
  personPhotos: (personId, { limit = 100, cursor = null } = {}) =>
    request('GET', `/people/${id(personId)}/photos?${pageQuery({ limit, cursor })}`),
  // bbox: [minLon, minLat, maxLon, maxLat].
  markers: (bbox, zoom) =>
    request('GET', `/map/markers?${pageQuery({ bbox: bbox.map((v) => +v.toFixed(4)).join(','), zoom })}`),
  memories: (date) => request('GET', `/memories?${pageQuery({ date })}`, undefined, { passive: true }),
  // Sharing (DESIGN "Families and sharing"): album members and partners.
  albumMembers: (albumId) => request('GET', `/albums/${id(albumId)}/members`),
  // who: {user_id} or {email}.
  addMember: (albumId, who, role) => request('POST', `/albums/${id(albumId)}/members`, { ...who, role }),
  setMemberRole: (albumId, userId, role) => request('PATCH', `/albums/${id(albumId)}/members/${id(userId)}`, { role }),
  removeMember: (albumId, userId) => request('DELETE', `/albums/${id(albumId)}/members/${id(userId)}`),
  // passive: a background read (at sign-in) that never ends the session itself.
  partners: ({ passive = false } = {}) => request('GET', '/partners', undefined, { passive }),
  addPartner: (userId) => request('POST', '/partners', { user_id: userId }),
  setPartnerTimeline: (userId, inTimeline) => request('PATCH', `/partners/${id(userId)}`, { in_timeline: inTimeline }),
  removePartner: (userId) => request('DELETE', `/partners/${id(userId)}`),
  // The caller's family, or null when they are in none (the share dialog and Partners pick
  // people from it; the Family page uses ``family`` and shows the refusal).
  familyOrNull: () => request('GET', '/family', undefined, { passive: true }).catch(() => null),
  initUploads: (files) => request('POST', '/uploads', { files }),
  complete: (batchId, uploadIds, parts = null) =>
    request('POST', `/uploads/${id(batchId)}/complete`, parts ? { upload_ids: uploadIds, parts } : { upload_ids: uploadIds }),
  // A multipart upload's parts that arrived: {upload_id, status, part_size, part_count, parts}.
  uploadParts: (batchId, uploadId) => request('GET', `/uploads/${id(batchId)}/items/${id(uploadId)}/parts`),
  // Families (DESIGN "Families and sharing").
  family: () => request('GET', '/family'),
  createFamily: (name) => request('POST', '/family', { name }),
  // {name?, quota_bytes?} (quota_bytes null: no pooled limit).
  editFamily: (changes) => request('PATCH', '/family', changes),
  deleteFamily: () => request('DELETE', '/family'),
  inviteToFamily: (email) => request('POST', '/family/invites', { email, role: 'member' }),
  revokeFamilyInvite: (inviteId) => request('DELETE', `/family/invites/${id(inviteId)}`),
  joinFamily: (token) => request('POST', '/family/join', { token }),
  // What an invitation's link invites to: {family_name, inviter_name, email, expires_at}; no account needed.
  familyInvitation: (token) => request('POST', '/family/invitation', { token }, { auth: false }),
  // {quota_bytes?} (null: the account's own quota alone).
  editFamilyMember: (userId, changes) => request('PATCH', `/family/members/${id(userId)}`, changes),
  removeFamilyMember: (userId) => request('DELETE', `/family/members/${id(userId)}`),
  // Account settings (settings.js): {display_name?, notify_album_shared?, notify_album_photos?} -> the user.
  updateMe: (changes) => request('PATCH', '/users/me', changes),
  // Passive: a wrong current password answers 401, which must not end this session.
  changePassword: (current, next) =>
    request('POST', '/users/me/password', { current_password: current, new_password: next }, { passive: true }),
  sessions: () => request('GET', '/users/me/sessions'),
  revokeSession: (sessionId) => request('DELETE', `/users/me/sessions/${id(sessionId)}`),
  adminUsers: ({ limit = 200, cursor = null } = {}) => request('GET', `/admin/users?${pageQuery({ limit, cursor })}`),
  // {quota_bytes?, disabled?, is_admin?} -> the account as the admin sees it.
  adminEditUser: (userId, changes) => request('PATCH', `/admin/users/${id(userId)}`, changes),
};
