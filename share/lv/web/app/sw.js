// Keeps the app's own files so that it opens without the network. The
// site's API (api/) is never cached nor answered here: what needs the
// network fails in the page, which says the phone is offline.

const CACHE = 'lv-app-1';
const SCOPE = new URL(self.registration.scope);
const API = new URL('api/', SCOPE).pathname;
const SHELL = ['./', 'index.html', 'app.css', 'app.js', 'api.js', 'store.js', 'lvsign.js',
  'manifest.webmanifest', 'icon.svg', 'icon-maskable.svg'].map(p => new URL(p, SCOPE).href);

// Only a plain answer of the site is kept: never a redirect (to a login
// page, say) nor an error.
async function keep(cache, request, response) {
  if (response.ok && response.type === 'basic' && !response.redirected)
    await cache.put(request, response.clone());
  return response;
}

async function install() {
  const cache = await caches.open(CACHE);
  await Promise.all(SHELL.map(url => fetch(url, { cache: 'no-cache' })
    .then(res => keep(cache, url, res)).catch(() => {})));
  await self.skipWaiting();
}

async function activate() {
  const old = (await caches.keys()).filter(k => k.startsWith('lv-app-') && k !== CACHE);
  await Promise.all(old.map(k => caches.delete(k)));
  await self.clients.claim();
}

// The network first, so an updated app is used at once; the kept copy
// when the network fails.
async function shellFile(request) {
  const cache = await caches.open(CACHE);
  try {
    return await keep(cache, request, await fetch(request));
  } catch (err) {
    const url = request.mode === 'navigate' ? SCOPE.href : request.url;
    const kept = await cache.match(url, { ignoreSearch: true });
    if (kept === undefined)
      throw err;
    return kept;
  }
}

function isShell(request) {
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== SCOPE.origin || url.pathname.startsWith(API))
    return false;
  return SHELL.includes(url.origin + url.pathname) ||
    (request.mode === 'navigate' && url.pathname.startsWith(SCOPE.pathname));
}

self.addEventListener('install', e => e.waitUntil(install()));
self.addEventListener('activate', e => e.waitUntil(activate()));
self.addEventListener('fetch', e => {
  if (isShell(e.request))
    e.respondWith(shellFile(e.request));
});
