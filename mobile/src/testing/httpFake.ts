// The FakeServer's upload rules behind a real HTTP server on 127.0.0.1, plus the few account
// and photo, album and search routes the screens call. For screen tests (they need @jest-environment node).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { ApiError } from '../api/errors';
import type { Album, AlbumMember, Family, Partners, Photo, Place, ShareLink } from '../api/types';
import { FakeClock, FakeServer } from './fakeServer';

export interface HttpFake {
  url: string;
  fake: FakeServer;
  password: string;
  photos: Photo[];
  /** Photos per page of GET /photos, an album's photos and search. */
  pageSize: number;
  albums: Album[];
  /** Album id -> its photo ids, in order. */
  albumPhotos: Map<string, string[]>;
  /** The `q` of every GET /search, in order. */
  queries: string[];
  /** The filters of every GET /search (its query without limit and cursor), in order. */
  searches: Record<string, string>[];
  /** GET /places. */
  places: Place[];
  /** Album id -> its members (GET/POST/PATCH/DELETE /albums/{id}/members). */
  members: Map<string, AlbumMember[]>;
  /** GET /family; null answers 404 family_not_found. */
  family: Family | null;
  partners: Partners;
  links: ShareLink[];
  /** The body of every PATCH /links/{id}, in order. */
  linkEdits: Record<string, unknown>[];
  /** Photo ids a contributor did not add: removing them from an album is refused (not_allowed). */
  notMine: string[];
  /** The `with_partners` of every GET /photos, in order. */
  photoQueries: (string | null)[];
  /** Answer every authenticated call with 401 from now on. */
  revoke(): void;
  close(): Promise<void>;
}

const USER = { id: 'u1', email: 'ada@example.com', display_name: 'Ada', quota_bytes: 1e9, used_bytes: 0, created_at: '2024-01-01T00:00:00Z' };

/** An album as the server shows it to its owner; tests override what they need. */
export function albumOf(n: number, over: Partial<Album> = {}): Album {
  return {
    id: `a${n}`,
    name: `Album ${n}`,
    description: null,
    owner: { id: USER.id, display_name: USER.display_name },
    role: 'owner',
    cover_photo_id: null,
    cover_thumb_url: null,
    photo_count: 0,
    start_at: null,
    end_at: null,
    shared: false,
    ...over,
  };
}

export async function startHttpFake(): Promise<HttpFake> {
  const fake = new FakeServer(new FakeClock());
  let revoked = false;
  const state: HttpFake = {
    url: '',
    fake,
    password: 'correct horse battery',
    photos: [],
    pageSize: 100,
    albums: [],
    albumPhotos: new Map(),
    queries: [],
    searches: [],
    places: [],
    members: new Map(),
    family: null,
    partners: { shared_with_me: [], shared_by_me: [] },
    links: [],
    linkEdits: [],
    notMine: [],
    photoQueries: [],
    revoke: () => {
      revoked = true;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', async () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json' });
        res.end(body === undefined ? '' : JSON.stringify(body));
      };
      const body = raw ? JSON.parse(raw) : {};
      const path = (req.url ?? '').split('?')[0].replace(/^\/api\/v1/, '');
      try {
        if (path === '/auth/login') {
          if (body.password !== state.password) {
            return send(401, { code: 'invalid_credentials', detail: 'wrong email or password' });
          }
          revoked = false;
          return send(200, { token: 'tok', expires_at: '2030-01-01T00:00:00Z', user: USER });
        }
        if (req.headers.authorization !== 'Bearer tok' || revoked) {
          return send(401, { code: 'invalid_token', detail: 'the session has ended' });
        }
        if (path === '/users/me') return send(200, USER);
        if (path === '/auth/logout') return send(204, undefined);
        if (path === '/uploads/check') return send(200, await fake.check(body.sha256));
        if (path === '/uploads') return send(201, await fake.init(body.files));
        const complete = /^\/uploads\/([^/]+)\/complete$/.exec(path);
        if (complete) return send(200, { items: await fake.complete(complete[1], body.upload_ids) });
        const query = new URL(req.url ?? '', 'http://x').searchParams;
        const page = (items: Photo[]) => {
          const from = Number(query.get('cursor') ?? 0);
          const to = from + state.pageSize;
          return send(200, { items: items.slice(from, to), next_cursor: to < items.length ? String(to) : null });
        };
        if (path === '/photos') {
          state.photoQueries.push(query.get('with_partners'));
          return page(state.photos);
        }
        if (path === '/family' && req.method === 'POST') {
          if (state.family) return send(409, { code: 'already_in_family', detail: 'you are in a family already' });
          if (!body.name) return send(422, { code: 'invalid_family_name', detail: 'a family name has 1 to 200 characters' });
          state.family = { id: 'f1', name: body.name, owner_id: USER.id, role: 'owner', members: [{ user: { id: USER.id, display_name: USER.display_name, email: USER.email }, role: 'owner' }], invites: [] };
          return send(201, state.family);
        }
        if (path === '/family/invites' && req.method === 'POST') {
          const fam = state.family;
          if (!fam || fam.owner_id !== USER.id) return send(403, { code: 'not_allowed', detail: 'only the owner invites' });
          if (!/^[^@\s]+@[^@\s]+$/.test(body.email)) return send(422, { code: 'invalid_email', detail: 'not an email address' });
          if (fam.members.some((m) => m.user.email === body.email)) return send(409, { code: 'already_member', detail: 'already in the family' });
          const invite = { id: `i${(fam.invites ?? []).length + 1}`, email: body.email, role: body.role, expires_at: '2030-01-08T00:00:00Z' };
          fam.invites = [...(fam.invites ?? []), invite];
          return send(201, invite);
        }
        const invite = /^\/family\/invites\/([^/]+)$/.exec(path);
        if (invite && state.family) {
          state.family.invites = (state.family.invites ?? []).filter((i) => i.id !== invite[1]);
          return send(204, undefined);
        }
        const familyMember = /^\/family\/members\/([^/]+)$/.exec(path);
        if (familyMember && state.family && req.method === 'DELETE') {
          const fam = state.family;
          const leaving = familyMember[1] === USER.id;
          if (leaving && fam.owner_id === USER.id) return send(409, { code: 'owner_cannot_leave', detail: 'the owner cannot leave' });
          if (!leaving && fam.owner_id !== USER.id) return send(403, { code: 'not_allowed', detail: 'only the owner removes' });
          if (leaving) state.family = null;
          else fam.members = fam.members.filter((m) => m.user.id !== familyMember[1]);
          return send(204, undefined);
        }
        if (path === '/family') return state.family ? send(200, state.family) : send(404, { code: 'family_not_found', detail: 'you are in no family' });
        if (path === '/partners' && req.method === 'GET') return send(200, state.partners);
        if (path === '/partners' && req.method === 'POST') {
          const m = state.family?.members.find((x) => x.user.id === body.user_id);
          if (!m) return send(404, { code: 'user_not_found', detail: 'no such user in your family' });
          state.partners.shared_by_me.push({ user: { id: m.user.id, display_name: m.user.display_name } });
          return send(201, { user: m.user });
        }
        const partner = /^\/partners\/([^/]+)$/.exec(path);
        if (partner && req.method === 'PATCH') {
          const p = state.partners.shared_with_me.find((x) => x.user.id === partner[1]);
          if (!p) return send(404, { code: 'partner_not_found', detail: 'no such partner' });
          p.in_timeline = body.in_timeline;
          return send(200, p);
        }
        if (partner && req.method === 'DELETE') {
          state.partners.shared_by_me = state.partners.shared_by_me.filter((x) => x.user.id !== partner[1]);
          return send(204, undefined);
        }
        if (path === '/links' && req.method === 'GET') return send(200, { items: state.links, next_cursor: null });
        if (path === '/links' && req.method === 'POST') {
          const n = state.links.length + 1;
          const link: ShareLink = { id: `l${n}`, key: `key${n}`, url: `${state.url}/#/s/key${n}`, kind: 'album', album_id: body.album_id, expires_at: body.expires_at ?? null, expired: false, has_password: !!body.password, allow_download: body.allow_download ?? true, allow_upload: false, show_metadata: true };
          state.links.unshift(link);
          return send(201, link);
        }
        const link = /^\/links\/([^/]+)$/.exec(path);
        if (link && req.method === 'PATCH') {
          const l = state.links.find((x) => x.id === link[1]);
          if (!l) return send(404, { code: 'link_not_found', detail: 'no such link' });
          if (body.allow_upload && !l.album_id) return send(422, { code: 'upload_needs_album', detail: 'upload needs an album link' });
          state.linkEdits.push(body);
          if ('password' in body) l.has_password = body.password !== null;
          if ('expires_at' in body) l.expires_at = body.expires_at;
          for (const k of ['allow_download', 'allow_upload', 'show_metadata'] as const) if (k in body) l[k] = body[k];
          return send(200, l);
        }
        if (link && req.method === 'DELETE') {
          state.links = state.links.filter((l) => l.id !== link[1]);
          return send(204, undefined);
        }
        const members = /^\/albums\/([^/]+)\/members(?:\/([^/]+))?$/.exec(path);
        if (members) {
          const list = state.members.get(members[1]) ?? [];
          state.members.set(members[1], list);
          if (req.method === 'GET') return send(200, { members: list });
          if (req.method === 'POST') {
            const m = state.family?.members.find((x) => x.user.id === body.user_id || x.user.email === body.email);
            if (!m) return send(404, { code: 'user_not_found', detail: 'no account with that email' });
            if (list.some((x) => x.user.id === m.user.id)) return send(409, { code: 'already_member', detail: 'already a member' });
            const added: AlbumMember = { user: { id: m.user.id, display_name: m.user.display_name }, role: body.role };
            list.push(added);
            return send(201, added);
          }
          const i = list.findIndex((x) => x.user.id === members[2]);
          if (i < 0) return send(404, { code: 'member_not_found', detail: 'not a member' });
          if (req.method === 'PATCH') {
            list[i].role = body.role;
            return send(200, list[i]);
          }
          list.splice(i, 1);
          return send(204, undefined);
        }
        if (path === '/search') {
          const q = (query.get('q') ?? '').toLowerCase();
          state.queries.push(q);
          state.searches.push(Object.fromEntries([...query.entries()].filter(([k]) => k !== 'limit' && k !== 'cursor')));
          const from = query.get('from');
          const to = query.get('to');
          if ([from, to].some((d) => d !== null && !/^\d{4}-\d{2}-\d{2}$/.test(d))) return send(422, { code: 'invalid_date', detail: 'not a date (YYYY-MM-DD)' });
          const has = (v: string | null | undefined, want: string | null) => want === null || (v ?? '').toLowerCase().includes(want.toLowerCase());
          return page(
            state.photos.filter(
              (p) =>
                (p.filename.toLowerCase().includes(q) || (p.place?.city ?? '').toLowerCase().includes(q)) &&
                has(p.place?.city, query.get('city')) &&
                has(p.place?.country, query.get('country')) &&
                has(`${p.camera?.make ?? ''} ${p.camera?.model ?? ''}`, query.get('camera')) &&
                (query.get('favorite') !== 'true' || !!p.favorite) &&
                (!query.get('type') || p.content_type.startsWith(query.get('type') === 'video' ? 'video/' : 'image/')) &&
                (from === null || p.taken_at.slice(0, 10) >= from) &&
                (to === null || p.taken_at.slice(0, 10) <= to),
            ),
          );
        }
        if (path === '/places') return send(200, state.places);
        if (path === '/albums' && req.method === 'POST') {
          if (!body.name || body.name.length > 200) return send(422, { code: 'invalid_album_name', detail: 'an album name has 1 to 200 characters' });
          const album: Album = { ...albumOf(state.albums.length + 1), name: body.name, photo_count: (body.photo_ids ?? []).length };
          state.albums.unshift(album);
          state.albumPhotos.set(album.id, [...(body.photo_ids ?? [])]);
          return send(201, { ...album, errors: [] });
        }
        const oneAlbum = /^\/albums\/([^/]+)$/.exec(path);
        if (oneAlbum && (req.method === 'PATCH' || req.method === 'DELETE')) {
          const a = state.albums.find((x) => x.id === oneAlbum[1]);
          if (!a) return send(404, { code: 'album_not_found', detail: 'no such album' });
          if (req.method === 'DELETE') {
            if (a.role !== 'owner') return send(403, { code: 'not_allowed', detail: 'only the owner deletes an album' });
            state.albums = state.albums.filter((x) => x !== a);
            return send(204, undefined);
          }
          if (body.name !== undefined && (!body.name || body.name.length > 200)) return send(422, { code: 'invalid_album_name', detail: 'an album name has 1 to 200 characters' });
          Object.assign(a, body);
          return send(200, a);
        }
        const removing = /^\/albums\/([^/]+)\/photos\/remove$/.exec(path);
        if (removing) {
          const a = state.albums.find((x) => x.id === removing[1]);
          if (!a) return send(404, { code: 'album_not_found', detail: 'no such album' });
          const ids = state.albumPhotos.get(a.id) ?? [];
          const refused = a.role === 'viewer' ? (body.ids as string[]) : (body.ids as string[]).filter((id) => state.notMine.includes(id));
          const removed = (body.ids as string[]).filter((id) => ids.includes(id) && !refused.includes(id));
          state.albumPhotos.set(a.id, ids.filter((id) => !removed.includes(id)));
          a.photo_count = ids.length - removed.length;
          return send(200, { removed, errors: refused.map((id) => ({ id, code: 'not_allowed' })) });
        }
        if (path === '/albums') return send(200, { items: state.albums, next_cursor: null });
        const inAlbum = /^\/albums\/([^/]+)\/photos$/.exec(path);
        const album = inAlbum ? state.albums.find((a) => a.id === inAlbum[1]) : undefined;
        if (inAlbum && !album) return send(404, { code: 'album_not_found', detail: 'no such album' });
        if (album && req.method === 'POST') {
          const ids = state.albumPhotos.get(album.id) ?? [];
          const added = (body.ids as string[]).filter((id) => !ids.includes(id));
          ids.push(...added);
          state.albumPhotos.set(album.id, ids);
          album.photo_count = ids.length;
          return send(200, { added, already: (body.ids as string[]).filter((id) => !added.includes(id)), errors: [] });
        }
        if (album) {
          const ids = state.albumPhotos.get(album.id) ?? [];
          return page(state.photos.filter((p) => ids.includes(p.id)));
        }
        const one = /^\/photos\/([^/]+)$/.exec(path);
        if (one && req.method === 'PATCH') {
          const photo = state.photos.find((p) => p.id === one[1]);
          if (!photo) return send(404, { code: 'photo_not_found', detail: 'no such photo' });
          Object.assign(photo, body);
          return send(200, photo);
        }
        const variant = /^\/photos\/([^/]+)\/(thumb|preview)$/.exec(path);
        if (variant) return send(200, { url: `${state.url}/blobs/${variant[1]}/${variant[2]}`, expires_at: '2030-01-01T00:00:00Z' });
        return send(404, { code: 'not_found', detail: `no route ${path}` });
      } catch (err) {
        if (err instanceof ApiError) return send(err.status ?? 500, { code: err.code, detail: err.detail, errors: err.errors });
        return send(500, { code: 'internal', detail: String(err) });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
