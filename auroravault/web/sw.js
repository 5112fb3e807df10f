// AuroraVault service worker (served at /sw.js so its scope is the whole app).
//
// - App shell: answered from the cache at once and refreshed in the background
//   (stale-while-revalidate), so the gallery opens instantly, online or not.
// - Thumbnails: cache-first. Their URLs are presigned and change on every listing, so they
//   are cached under the URL without its query (the object key names the photo, and a
//   photo's thumbnail never changes). The most recent THUMB_LIMIT are kept.
// - The photo list, month counts and the user: network first; when the network fails, the
//   last answer seen, marked with X-AuroraVault-Cache: offline so the app can say so.
// Uploads (PUT/POST) and everything else pass straight through.

const VERSION = 'v10';
const SHELL = `av-shell-${VERSION}`;
const THUMBS = 'av-thumbs';
const API = 'av-api';
const THUMB_LIMIT = 3000;
const NETWORK_TIMEOUT_MS = 4000;

const SHELL_FILES = [
  '/',
  '/manifest.webmanifest',
  '/app/style.css',
  '/app/js/main.js',
  '/app/js/actions.js',
  '/app/js/albums.js',
  '/app/js/api.js',
  '/app/js/db.js',
  '/app/js/family.js',
  '/app/js/format.js',
  '/app/js/layout.js',
  '/app/js/links.js',
  '/app/js/map.js',
  '/app/js/memories.js',
  '/app/js/messages.js',
  '/app/js/parts.js',
  '/app/js/partners.js',
  '/app/js/photoedit.js',
  '/app/js/people.js',
  '/app/js/places.js',
  '/app/js/public.js',
  '/app/js/player.js',
  '/app/js/router.js',
  '/app/js/scrubber.js',
  '/app/js/search.js',
  '/app/js/selection.js',
  '/app/js/settings.js',
  '/app/js/share.js',
  '/app/js/dom.js',
  '/app/js/events.js',
  '/app/js/similar.js',
  '/app/js/sha256.js',
  '/app/js/sniff.js',
  '/app/js/thumbhash.js',
  '/app/js/tiles.js',
  '/app/js/timeline.js',
  '/app/js/uploader.js',
  '/app/js/uploadpanel.js',
  '/app/js/viewer.js',
  '/app/js/views.js',
  '/app/js/watch.js',
  '/app/js/world.js',
  '/app/icons/icon.svg',
  '/app/icons/icon-192.png',
];

const CACHED_API = /^\/api\/v1\/(photos\/?|timeline\/?|users\/me)$/;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(SHELL)
      .then((cache) => cache.addAll(SHELL_FILES))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(names.filter((n) => n.startsWith('av-shell-') && n !== SHELL).map((n) => caches.delete(n))),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.pathname.endsWith('/thumb.webp')) {
    event.respondWith(thumbnail(event, request, url));
    return;
  }
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate' && url.pathname === '/') {
    event.respondWith(shell(event, '/'));
  } else if (SHELL_FILES.includes(url.pathname)) {
    event.respondWith(shell(event, url.pathname));
  } else if (CACHED_API.test(url.pathname)) {
    event.respondWith(networkFirst(request));
  }
});

async function shell(event, path) {
  const cache = await caches.open(SHELL);
  const cached = await cache.match(path);
  const fresh = fetch(path, { cache: 'no-cache' })
    .then(async (response) => {
      if (response.ok) await cache.put(path, response.clone());
      return response;
    })
    .catch(() => null);
  if (cached) {
    event.waitUntil(fresh);
    return cached;
  }
  return (await fresh) || new Response('Offline', { status: 503, headers: { 'Content-Type': 'text/plain' } });
}

async function thumbnail(event, request, url) {
  const key = url.origin + url.pathname;
  const cache = await caches.open(THUMBS);
  const cached = await cache.match(key);
  if (cached) return cached;
  const response = await fetch(request);
  // Opaque answers (another origin, no CORS) cannot be inspected but still display.
  if (response.ok || response.type === 'opaque') {
    event.waitUntil(
      cache
        .put(key, response.clone())
        .then(() => trim(cache))
        .catch(() => {}),
    );
  }
  return response;
}

let puts = 0;
async function trim(cache) {
  if (++puts % 100) return; // listing the keys is not free: only now and then
  const keys = await cache.keys();
  // Keys come back in insertion order: the oldest go first.
  await Promise.all(keys.slice(0, Math.max(0, keys.length - THUMB_LIMIT)).map((k) => cache.delete(k)));
}

async function networkFirst(request) {
  const cache = await caches.open(API);
  const network = fetch(request).then(async (response) => {
    if (response.ok) await cache.put(request, response.clone());
    return response;
  });
  try {
    return await withTimeout(network, NETWORK_TIMEOUT_MS);
  } catch {
    const cached = await cache.match(request, { ignoreVary: true });
    if (!cached) return network; // nothing better: keep waiting for the server (or its failure)
    const headers = new Headers(cached.headers);
    headers.set('X-AuroraVault-Cache', 'offline');
    return new Response(cached.body, { status: cached.status, statusText: cached.statusText, headers });
  }
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('network timeout')), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
