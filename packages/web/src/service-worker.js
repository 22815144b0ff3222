// The pod application's service worker: keeps the shell (the pages, every asset of this build,
// the icon and manifest) so the application opens without the network and can say clearly that
// the server cannot be reached. API calls and the socket always go to the network.
//
// The build (vite.config.ts) puts `VERSION` (a digest of the build) and `PRECACHE` (what this
// build consists of) above this text. Each build is a new worker with a cache of its own; when
// it activates, the caches of earlier builds are deleted, so old hashed assets never pile up.
/* global VERSION, PRECACHE */
const PREFIX = 'pod-shell-';
const CACHE = `${PREFIX}${VERSION}`;
/** Page addresses kept under their own key; every other page is the application's index.html. */
const PAGES = ['/welcome'];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith(PREFIX) && key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/v1/') || url.pathname.startsWith('/dav/')) return;
  if (request.mode === 'navigate') {
    // The newest page when the server answers, the kept one when it does not.
    const key = PAGES.includes(url.pathname) ? url.pathname : '/';
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            event.waitUntil(caches.open(CACHE).then((cache) => cache.put(key, copy)));
          }
          return response;
        })
        .catch(() => caches.match(key, { cacheName: CACHE })),
    );
    return;
  }
  // Hashed assets never change under their name: the cache answers first.
  event.respondWith(
    caches.match(request, { cacheName: CACHE }).then(
      (hit) =>
        hit ??
        fetch(request).then((response) => {
          if (response.ok && (url.pathname.startsWith('/assets/') || PRECACHE.includes(url.pathname))) {
            const copy = response.clone();
            event.waitUntil(caches.open(CACHE).then((cache) => cache.put(request, copy)));
          }
          return response;
        }),
    ),
  );
});
