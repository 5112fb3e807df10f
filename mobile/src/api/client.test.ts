/**
 * @jest-environment node
 */
// The API client against a real HTTP server on 127.0.0.1 speaking the contract's shapes.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { ApiClient, normalizeServer } from './client';
import { ApiError, isExpiredUrl, parseRetryAfter } from './errors';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

let server: Server;
let base = '';
let handler: Handler = (_req, _body, res) => res.end();

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => handler(req, body, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const type = status >= 400 ? 'application/problem+json' : 'application/json';
  res.writeHead(status, { 'Content-Type': type, ...headers });
  res.end(JSON.stringify(body));
}

it('sends the bearer token and reads check answers with or without trashed and deleted', async () => {
  const seen: (string | undefined)[] = [];
  handler = (req, body, res) => {
    seen.push(req.headers.authorization);
    const { sha256 } = JSON.parse(body) as { sha256: string[] };
    if (sha256[0] === 'old') json(res, 200, { existing: { old: 'p1' }, missing: [] });
    else json(res, 200, { existing: {}, missing: [], trashed: { t: 'p2' }, deleted: ['d'] });
  };
  const api = new ApiClient({ baseUrl: base, getToken: () => 'tok' });
  expect(await api.checkUploads(['old'])).toEqual({ existing: { old: 'p1' }, missing: [], trashed: {}, deleted: [] });
  expect(await api.checkUploads(['t', 'd'])).toEqual({ existing: {}, missing: [], trashed: { t: 'p2' }, deleted: ['d'] });
  expect(seen).toEqual(['Bearer tok', 'Bearer tok']);
});

it("turns a problem into an ApiError with the server's code, detail and Retry-After", async () => {
  handler = (_req, _body, res) =>
    json(res, 503, { type: 'about:blank', title: 'x', status: 503, code: 'meta_unavailable', detail: 'the database is down' }, { 'Retry-After': '7' });
  const api = new ApiClient({ baseUrl: base, getToken: () => 'tok' });
  const err = (await api.me().catch((e) => e)) as ApiError;
  expect(err).toBeInstanceOf(ApiError);
  expect(err).toMatchObject({ status: 503, code: 'meta_unavailable', detail: 'the database is down', retryAfterMs: 7000 });
  expect(err.kind).toBe('transient');
});

it('keeps the per-file errors of a refused batch', async () => {
  handler = (_req, _body, res) =>
    json(res, 422, {
      code: 'unsupported_media_type',
      detail: 'file 0: bad',
      errors: [{ index: 0, code: 'unsupported_media_type', detail: 'bad' }],
    });
  const api = new ApiClient({ baseUrl: base, getToken: () => 'tok' });
  const err = (await api.initUploads([]).catch((e) => e)) as ApiError;
  expect(err.kind).toBe('permanent');
  expect(err.errors).toEqual([{ index: 0, code: 'unsupported_media_type', detail: 'bad' }]);
});

it('tells the app about a 401 on an authenticated call, not on a failed sign in', async () => {
  handler = (_req, _body, res) => json(res, 401, { code: 'invalid_token', detail: 'the session has ended' });
  const onUnauthorized = jest.fn();
  let token: string | null = 'tok';
  const api = new ApiClient({ baseUrl: base, getToken: () => token, onUnauthorized });
  await expect(api.photos(null)).rejects.toMatchObject({ code: 'invalid_token' });
  expect(onUnauthorized).toHaveBeenCalledTimes(1);
  token = null;
  handler = (_req, _body, res) => json(res, 401, { code: 'invalid_credentials', detail: 'wrong email or password' });
  await expect(api.login('a@b.c', 'nope')).rejects.toMatchObject({ code: 'invalid_credentials', detail: 'wrong email or password' });
  expect(onUnauthorized).toHaveBeenCalledTimes(1);
});

it('reports an unreachable server as a network error', async () => {
  const api = new ApiClient({ baseUrl: 'http://127.0.0.1:1', getToken: () => null });
  const err = (await api.me().catch((e) => e)) as ApiError;
  expect(err).toMatchObject({ status: null, code: 'network_error' });
  expect(err.kind).toBe('network');
});

it('reads Retry-After as seconds or a date, and recognises expired URLs', () => {
  expect(parseRetryAfter('120', 0)).toBe(120_000);
  expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10_000);
  expect(parseRetryAfter('soon', 0)).toBeNull();
  expect(isExpiredUrl(new ApiError({ status: 403, code: 'url_expired', detail: '' }))).toBe(true);
  expect(isExpiredUrl(new ApiError({ status: 403, code: 'AccessDenied', detail: 'Request has expired' }))).toBe(true);
  expect(isExpiredUrl(new ApiError({ status: 403, code: 'admin_only', detail: 'no' }))).toBe(false);
  expect(normalizeServer(' 192.168.1.5:8000/ ')).toBe('http://192.168.1.5:8000');
});

it('calls the album and search routes with their paths, queries and bodies', async () => {
  const seen: { method?: string; url?: string; body: unknown }[] = [];
  handler = (req, body, res) => {
    seen.push({ method: req.method, url: req.url, body: body ? JSON.parse(body) : null });
    if (req.method === 'POST' && req.url === '/api/v1/albums') json(res, 201, { id: 'a1', name: 'Trip', errors: [] });
    else if (req.method === 'POST') json(res, 200, { added: ['p1'], already: ['p2'], errors: [{ id: 'zz', code: 'photo_not_found' }] });
    else json(res, 200, { items: [], next_cursor: null });
  };
  const api = new ApiClient({ baseUrl: base, getToken: () => 'tok' });
  await api.albums();
  await api.albums('c1');
  await api.albumPhotos('a 1', null);
  await api.albumPhotos('a1', 'c2', 10);
  expect(await api.createAlbum('Trip', ['p1'])).toMatchObject({ id: 'a1', name: 'Trip' });
  await api.createAlbum('Empty');
  expect(await api.addToAlbum('a1', ['p1', 'p2', 'zz'])).toEqual({ added: ['p1'], already: ['p2'], errors: [{ id: 'zz', code: 'photo_not_found' }] });
  await api.search('paris & rome', null);
  await api.search('x', 'c3');
  expect(seen).toEqual([
    { method: 'GET', url: '/api/v1/albums?filter=all&limit=100', body: null },
    { method: 'GET', url: '/api/v1/albums?filter=all&limit=100&cursor=c1', body: null },
    { method: 'GET', url: '/api/v1/albums/a%201/photos?limit=60', body: null },
    { method: 'GET', url: '/api/v1/albums/a1/photos?limit=10&cursor=c2', body: null },
    { method: 'POST', url: '/api/v1/albums', body: { name: 'Trip', photo_ids: ['p1'] } },
    { method: 'POST', url: '/api/v1/albums', body: { name: 'Empty' } },
    { method: 'POST', url: '/api/v1/albums/a1/photos', body: { ids: ['p1', 'p2', 'zz'] } },
    { method: 'GET', url: '/api/v1/search?q=paris+%26+rome&limit=60', body: null },
    { method: 'GET', url: '/api/v1/search?q=x&limit=60&cursor=c3', body: null },
  ]);
});

it('calls the album, family, link, search and places management routes', async () => {
  const seen: { method?: string; url?: string; body: unknown }[] = [];
  handler = (req, body, res) => {
    seen.push({ method: req.method, url: req.url, body: body ? JSON.parse(body) : null });
    if (req.url === '/api/v1/places') json(res, 200, [{ city: 'Oslo', count: 1 }, { city: 'Nice', count: 3 }]);
    else if (req.method === 'DELETE') json(res, 204, undefined);
    else json(res, 200, { removed: [], errors: [], items: [], next_cursor: null });
  };
  const api = new ApiClient({ baseUrl: base, getToken: () => 'tok' });
  await api.editAlbum('a 1', { name: 'Trip' });
  await api.deleteAlbum('a1');
  await api.removeFromAlbum('a1', ['p1']);
  await api.createFamily('Lovelace');
  await api.inviteToFamily('bob@example.com');
  await api.revokeInvite('i1');
  await api.removeFamilyMember('u2');
  await api.editLink('l1', { password: null, allow_upload: true });
  await api.search({ q: ' ', from: '2024-01-01', to: '2024-12-31', camera: 'Pixel 7', city: 'Nice', favorite: true, type: 'video' }, null, 10);
  await api.search({ country: 'France', favorite: false, type: '' }, 'c1', 10);
  expect((await api.places()).map((p) => p.city)).toEqual(['Nice', 'Oslo']);
  expect(seen).toEqual([
    { method: 'PATCH', url: '/api/v1/albums/a%201', body: { name: 'Trip' } },
    { method: 'DELETE', url: '/api/v1/albums/a1', body: null },
    { method: 'POST', url: '/api/v1/albums/a1/photos/remove', body: { ids: ['p1'] } },
    { method: 'POST', url: '/api/v1/family', body: { name: 'Lovelace' } },
    { method: 'POST', url: '/api/v1/family/invites', body: { email: 'bob@example.com', role: 'member' } },
    { method: 'DELETE', url: '/api/v1/family/invites/i1', body: null },
    { method: 'DELETE', url: '/api/v1/family/members/u2', body: null },
    { method: 'PATCH', url: '/api/v1/links/l1', body: { password: null, allow_upload: true } },
    { method: 'GET', url: '/api/v1/search?from=2024-01-01&to=2024-12-31&camera=Pixel+7&city=Nice&type=video&favorite=true&limit=10', body: null },
    { method: 'GET', url: '/api/v1/search?country=France&limit=10&cursor=c1', body: null },
    { method: 'GET', url: '/api/v1/places', body: null },
  ]);
});

it("turns a refused album name into an ApiError with the server's code", async () => {
  handler = (_req, _body, res) => json(res, 422, { code: 'invalid_album_name', detail: 'an album name has 1 to 200 characters' });
  const api = new ApiClient({ baseUrl: base, getToken: () => 'tok' });
  await expect(api.createAlbum('')).rejects.toMatchObject({ status: 422, code: 'invalid_album_name' });
});
