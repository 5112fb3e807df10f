// The HTTP contract over Axios. Every failure becomes an ApiError; a 401 also tells the app.
import { create as createAxios, type AxiosInstance, type AxiosResponse } from 'axios';

import { ApiError, errorFromResponse, networkError } from './errors';
import type { Album, AlbumAdded, AlbumMember, AlbumPage, Family, FamilyInvite, LinkEdit, MemberRole, NewLink, Place, SearchQuery, Partners, ShareLink, CheckResult, FileSpec, InitResult, Photo, PhotoPage, Session, SyncChanges, UploadItem, User } from './types';

export interface ApiOptions {
  baseUrl: string;
  getToken: () => string | null;
  /** Called on every 401 of an authenticated call: the app goes back to sign in (the queue stays). */
  onUnauthorized?: (err: ApiError) => void;
  timeoutMs?: number;
  now?: () => number;
}

export function normalizeServer(url: string): string {
  let u = url.trim();
  if (u && !/^https?:\/\//i.test(u)) u = `http://${u}`;
  return u.replace(/\/+$/, '');
}

/** The query string of `GET /search`: `from`/`to` dates, `type` image|video, `favorite` only when on. */
export function searchParams(query: SearchQuery): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ['q', 'from', 'to', 'camera', 'city', 'country', 'type'] as const) {
    const v = query[key]?.trim();
    if (v) out[key] = v;
  }
  if (query.favorite) out.favorite = 'true';
  return out;
}

export class ApiClient {
  readonly http: AxiosInstance;
  private readonly opts: ApiOptions;

  constructor(opts: ApiOptions) {
    this.opts = opts;
    this.http = createAxios({
      baseURL: `${normalizeServer(opts.baseUrl)}/api/v1`,
      timeout: opts.timeoutMs ?? 30_000,
      // Every status comes back as a response; we decide what is an error.
      validateStatus: () => true,
    });
  }

  get baseUrl(): string {
    return normalizeServer(this.opts.baseUrl);
  }

  private async call<T>(method: 'get' | 'post' | 'patch' | 'delete', path: string, body?: unknown, params?: object): Promise<T> {
    const token = this.opts.getToken();
    const headers: Record<string, string> = {};
    if (token) headers.Authorization = `Bearer ${token}`;
    let res: AxiosResponse;
    try {
      res = await this.http.request({ method, url: path, data: body, params, headers });
    } catch (err) {
      throw networkError(err);
    }
    if (res.status >= 200 && res.status < 300) return res.data as T;
    const now = (this.opts.now ?? Date.now)();
    const err = errorFromResponse(res.status, res.data, res.headers as Record<string, string>, now);
    if (err.status === 401 && token) this.opts.onUnauthorized?.(err);
    throw err;
  }

  register(email: string, password: string, displayName: string): Promise<Session> {
    return this.call('post', '/auth/register', { email, password, display_name: displayName });
  }

  login(email: string, password: string): Promise<Session> {
    return this.call('post', '/auth/login', { email, password });
  }

  logout(): Promise<void> {
    return this.call('post', '/auth/logout');
  }

  me(): Promise<User> {
    return this.call('get', '/users/me');
  }

  async checkUploads(sha256: string[]): Promise<CheckResult> {
    const res = await this.call<Partial<CheckResult>>('post', '/uploads/check', { sha256 });
    return {
      existing: res.existing ?? {},
      missing: res.missing ?? [],
      trashed: res.trashed ?? {},
      deleted: res.deleted ?? [],
    };
  }

  initUploads(files: FileSpec[]): Promise<InitResult> {
    return this.call('post', '/uploads', { files });
  }

  async completeUploads(batchId: string, uploadIds: string[]): Promise<UploadItem[]> {
    const res = await this.call<{ items: UploadItem[] }>(
      'post',
      `/uploads/${encodeURIComponent(batchId)}/complete`,
      { upload_ids: uploadIds },
    );
    return res.items;
  }

  /** The timeline; `withPartners` merges the libraries shared with me that I show in my timeline. */
  photos(cursor: string | null, limit = 60, withPartners = false): Promise<PhotoPage> {
    return this.call('get', '/photos', undefined, { limit, order: 'newest', ...(cursor ? { cursor } : {}), ...(withPartners ? { with_partners: 'true' } : {}) });
  }

  photo(id: string): Promise<Photo> {
    return this.call('get', `/photos/${encodeURIComponent(id)}`);
  }

  async variantUrl(id: string, variant: 'thumb' | 'preview' | 'original'): Promise<string> {
    const res = await this.call<{ url: string }>('get', `/photos/${encodeURIComponent(id)}/${variant}`, undefined, {
      redirect: 'false',
    });
    return res.url;
  }

  setFavorite(id: string, favorite: boolean): Promise<Photo> {
    return this.call('patch', `/photos/${encodeURIComponent(id)}`, { favorite });
  }

  trash(ids: string[]): Promise<{ trashed: string[] }> {
    return this.call('post', '/photos/trash', { ids });
  }

  syncChanges(since: string | null): Promise<SyncChanges> {
    return this.call('get', '/sync/changes', undefined, since ? { since } : {});
  }

  albums(cursor: string | null = null, limit = 100): Promise<AlbumPage> {
    return this.call('get', '/albums', undefined, { filter: 'all', limit, ...(cursor ? { cursor } : {}) });
  }

  albumPhotos(id: string, cursor: string | null, limit = 60): Promise<PhotoPage> {
    return this.call('get', `/albums/${encodeURIComponent(id)}/photos`, undefined, { limit, ...(cursor ? { cursor } : {}) });
  }

  createAlbum(name: string, photoIds: string[] = []): Promise<Album> {
    return this.call('post', '/albums', { name, ...(photoIds.length ? { photo_ids: photoIds } : {}) });
  }

  addToAlbum(id: string, photoIds: string[]): Promise<AlbumAdded> {
    return this.call('post', `/albums/${encodeURIComponent(id)}/photos`, { ids: photoIds });
  }

  /** Rename (or describe) an album; owner or admin. */
  editAlbum(id: string, edit: { name?: string; description?: string | null }): Promise<Album> {
    return this.call('patch', `/albums/${encodeURIComponent(id)}`, edit);
  }

  /** Delete an album; its photos stay in the library. */
  deleteAlbum(id: string): Promise<void> {
    return this.call('delete', `/albums/${encodeURIComponent(id)}`);
  }

  removeFromAlbum(id: string, photoIds: string[]): Promise<{ removed: string[]; errors: { id: string; code: string }[] }> {
    return this.call('post', `/albums/${encodeURIComponent(id)}/photos/remove`, { ids: photoIds });
  }

  /** Search by words (`q` matches filename, description, album, place and people's names) and
   * filters, newest first; a string is words alone. Empty filters are not sent. */
  search(query: string | SearchQuery, cursor: string | null, limit = 60): Promise<PhotoPage> {
    return this.call('get', '/search', undefined, { ...searchParams(typeof query === 'string' ? { q: query } : query), limit, ...(cursor ? { cursor } : {}) });
  }

  /** Every place of my photos (country, region, city) with its count, the most photographed first. */
  async places(): Promise<Place[]> {
    const rows = await this.call<Place[]>('get', '/places');
    return [...rows].sort((a, b) => b.count - a.count);
  }

  async albumMembers(id: string): Promise<AlbumMember[]> {
    const res = await this.call<{ members: AlbumMember[] }>('get', `/albums/${encodeURIComponent(id)}/members`);
    return res.members;
  }

  /** Share an album with someone of my family (`user_id`) or any account (`email`). */
  addAlbumMember(id: string, who: { user_id: string } | { email: string }, role: MemberRole): Promise<AlbumMember> {
    return this.call('post', `/albums/${encodeURIComponent(id)}/members`, { ...who, role });
  }

  setAlbumMemberRole(id: string, userId: string, role: MemberRole): Promise<AlbumMember> {
    return this.call('patch', `/albums/${encodeURIComponent(id)}/members/${encodeURIComponent(userId)}`, { role });
  }

  /** Remove a member; with my own id, leave the album. */
  removeAlbumMember(id: string, userId: string): Promise<void> {
    return this.call('delete', `/albums/${encodeURIComponent(id)}/members/${encodeURIComponent(userId)}`);
  }

  /** My family, or null when I am in none (404). */
  async family(): Promise<Family | null> {
    try {
      return await this.call<Family>('get', '/family');
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }
  }

  createFamily(name: string): Promise<Family> {
    return this.call('post', '/family', { name });
  }

  /** Invite an email into my family (owner): a single-use link goes out by email. */
  inviteToFamily(email: string): Promise<FamilyInvite> {
    return this.call('post', '/family/invites', { email, role: 'member' });
  }

  revokeInvite(id: string): Promise<void> {
    return this.call('delete', `/family/invites/${encodeURIComponent(id)}`);
  }

  /** Remove a member (owner); with my own id, leave the family. */
  removeFamilyMember(userId: string): Promise<void> {
    return this.call('delete', `/family/members/${encodeURIComponent(userId)}`);
  }

  partners(): Promise<Partners> {
    return this.call('get', '/partners');
  }

  sharePartner(userId: string): Promise<unknown> {
    return this.call('post', '/partners', { user_id: userId });
  }

  setPartnerInTimeline(userId: string, inTimeline: boolean): Promise<unknown> {
    return this.call('patch', `/partners/${encodeURIComponent(userId)}`, { in_timeline: inTimeline });
  }

  stopPartner(userId: string): Promise<void> {
    return this.call('delete', `/partners/${encodeURIComponent(userId)}`);
  }

  async links(): Promise<ShareLink[]> {
    const res = await this.call<ShareLink[] | { items: ShareLink[] }>('get', '/links');
    return Array.isArray(res) ? res : res.items;
  }

  createLink(spec: NewLink): Promise<ShareLink> {
    return this.call('post', '/links', spec);
  }

  /** Change a link's expiry, password (null clears either) or options. */
  editLink(id: string, edit: LinkEdit): Promise<ShareLink> {
    return this.call('patch', `/links/${encodeURIComponent(id)}`, edit);
  }

  revokeLink(id: string): Promise<void> {
    return this.call('delete', `/links/${encodeURIComponent(id)}`);
  }
}
