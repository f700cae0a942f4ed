// The back office's script, on every signed-in page. It only enhances pages that work
// without it: it registers the web app's service worker, subscribes this browser to push
// notifications from the profile, keeps the bell's count fresh, marks notifications read
// without a reload, shows times in the reader's time zone and opens the menu on wide screens.
'use strict';

(() => {
  const lang = document.documentElement.lang || undefined;

  // The service worker shows push notifications; the whole site is its scope.
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js').catch(() => {});
  }

  // Times: every <time datetime> shows the reader's local time in the page's language; the
  // server's UTC text stays in its title.
  const fmt = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
  for (const el of document.querySelectorAll('time[datetime]')) {
    const v = el.getAttribute('datetime');
    if (!v.includes('T')) continue; // a day, not an instant: no time zone to change
    const d = new Date(v);
    if (Number.isNaN(d.getTime())) continue;
    if (!el.title) el.title = el.textContent.trim();
    el.textContent = fmt.format(d);
  }

  // The menu: collapsed behind its button on a phone, always open on a wide screen.
  const menu = document.getElementById('bo-menu');
  if (menu) {
    const wide = window.matchMedia('(min-width: 64rem)');
    const sync = () => { menu.open = wide.matches; };
    sync();
    wide.addEventListener('change', sync);
    menu.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && menu.open && !wide.matches) {
        menu.open = false;
        menu.querySelector('summary').focus();
      }
    });
  }

  // The bell: its count follows the server every 30 seconds while the tab is visible.
  const badge = document.getElementById('bell-count');
  const show = (n, label) => {
    if (!badge) return;
    if (String(n) === badge.dataset.count) return; // unchanged: nothing to announce
    badge.dataset.count = String(n);
    badge.textContent = n > 0 ? label : '';
  };
  const refresh = async () => {
    try {
      const res = await fetch('/notifications/count', { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      if (!res.ok) return;
      const c = await res.json();
      show(c.unread, c.label || String(c.unread));
    } catch (e) {
      // offline for a moment: the next round tries again
    }
  };
  if (badge) {
    setInterval(() => { if (document.visibilityState === 'visible') refresh(); }, 30000);
    document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') refresh(); });
  }

  // Marking read: the forms post in the background and the list changes in place.
  const markRead = (form) => {
    const all = form.classList.contains('bell-readall');
    const items = all ? document.querySelectorAll('li.message.unread') : [form.closest('li')];
    for (const li of items) {
      if (!li) continue;
      li.classList.remove('unread');
      for (const el of li.querySelectorAll('.bell-new, form')) el.remove();
    }
    if (all || !document.querySelector('li.message.unread')) {
      const rest = document.querySelector('form.bell-readall');
      if (rest) rest.remove();
    }
  };
  document.addEventListener('submit', async (e) => {
    const form = e.target;
    const action = form.getAttribute('action') || '';
    if (!/^\/notifications\/([0-9a-f-]+\/)?read$/.test(action)) return;
    e.preventDefault();
    const button = form.querySelector('button');
    if (button) button.disabled = true;
    try {
      const res = await fetch(action, { method: 'POST', body: new FormData(form), credentials: 'same-origin' });
      if (!res.ok) throw new Error(String(res.status));
    } catch (err) {
      form.submit(); // the plain way, which shows any error
      return;
    }
    // Focus goes on to the next notification to mark, else the list's heading.
    const li = form.closest('li');
    const next = li && li.nextElementSibling && li.nextElementSibling.querySelector('form button');
    markRead(form);
    const target = next || document.querySelector('main h1');
    if (target) {
      if (!next) target.setAttribute('tabindex', '-1');
      target.focus();
    }
    refresh();
  });

  // Push: the profile's button subscribes this browser with the server's VAPID key.
  const push = document.querySelector('[data-vapid-key]');
  if (push) {
    const button = push.querySelector('[data-push-subscribe]');
    const status = push.querySelector('[data-push-status]');
    const nojs = push.querySelector('[data-push-nojs]');
    if (nojs) nojs.hidden = true;
    const say = (key) => { status.textContent = push.dataset[key] || ''; };
    const supported = 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
    if (!supported) {
      say('msgUnsupported');
    } else if (button) {
      button.hidden = false;
      markThisBrowser(push, button, say);
      button.addEventListener('click', async () => {
        button.disabled = true;
        say('msgWorking');
        try {
          if (await Notification.requestPermission() !== 'granted') {
            say('msgDenied');
            return;
          }
          const reg = await navigator.serviceWorker.ready;
          const key = fromBase64URL(push.dataset.vapidKey);
          let sub = await reg.pushManager.getSubscription();
          if (sub && !sameBytes(sub.options.applicationServerKey, key)) {
            await sub.unsubscribe(); // made with another key, which the server no longer signs with
            sub = null;
          }
          if (!sub) sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
          const res = await fetch('/profile/push', {
            method: 'POST', credentials: 'same-origin',
            headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
            body: JSON.stringify(sub.toJSON()),
          });
          if (!res.ok) {
            const body = await res.json().catch(() => ({}));
            status.textContent = body.error || push.dataset.msgFailed;
            return;
          }
          window.location.reload();
        } catch (err) {
          say('msgFailed');
        } finally {
          button.disabled = false;
        }
      });
    }
  }

  // markThisBrowser finds this browser's row in the list by its endpoint's digest: it is
  // marked, the button goes, and removing the row also unsubscribes the browser.
  async function markThisBrowser(push, button, say) {
    try {
      const reg = await navigator.serviceWorker.getRegistration('/');
      const sub = reg && await reg.pushManager.getSubscription();
      if (!sub) return;
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(sub.endpoint)));
      const tag = [...digest.slice(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join('');
      const row = push.querySelector(`li[data-push-tag="${tag}"]`);
      if (!row) return; // subscribed here, but no longer known to the server: the button renews it
      row.querySelector('.this-browser').hidden = false;
      button.hidden = true;
      say('msgSubscribed');
      const form = row.querySelector('form');
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        try { await sub.unsubscribe(); } catch (err) { /* the server forgets it all the same */ }
        form.submit();
      }, { once: true });
    } catch (err) {
      // no way to tell: the button stays
    }
  }

  function sameBytes(a, b) {
    if (!a) return false;
    const x = new Uint8Array(a);
    return x.length === b.length && x.every((v, i) => v === b[i]);
  }

  function fromBase64URL(s) {
    const b = atob((s + '='.repeat((4 - s.length % 4) % 4)).replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(b, (c) => c.charCodeAt(0));
  }
})();
