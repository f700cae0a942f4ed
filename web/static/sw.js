// The back office's service worker, served at /sw.js for the whole site: it shows the push
// notifications the Desk sends (notify/webpush's Payload: {"title", "body", "link"}) and
// opens the link when one is clicked. It caches nothing: every page comes from the server.
'use strict';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

// safeLink returns link as an absolute http(s) URL (a path is this site's), or this site's
// start page for anything else.
function safeLink(link) {
  try {
    const u = new URL(link || '/', self.location.origin);
    if (u.protocol === 'https:' || u.protocol === 'http:') return u.href;
  } catch (e) {
    // not a URL: the start page
  }
  return new URL('/', self.location.origin).href;
}

self.addEventListener('push', (event) => {
  let p = {};
  if (event.data) {
    try {
      p = event.data.json();
    } catch (e) {
      p = { title: event.data.text() };
    }
  }
  const title = p.title || self.location.host;
  event.waitUntil(self.registration.showNotification(title, {
    body: p.body || '',
    icon: '/static/icon-192.png',
    badge: '/static/icon-192.png',
    data: { link: safeLink(p.link) },
  }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const link = safeLink(event.notification.data && event.notification.data.link);
  event.waitUntil((async () => {
    const wins = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    for (const w of wins) {
      if (w.url === link && 'focus' in w) return w.focus();
    }
    return self.clients.openWindow(link);
  })());
});
