// AuroraVault web app: wires the views together. Everything it knows about the server
// comes from the public HTTP contract (see api.js).

import { Actions } from './actions.js';
import { api, onCacheState, onUnauthorized, session } from './api.js';
import { invitationText } from './family.js';
import { formatBytes } from './format.js';
import { describe } from './messages.js';
import { Router } from './router.js';
import { Scrubber } from './scrubber.js';
import { attachSelection, Selection } from './selection.js';
import { Timeline } from './timeline.js';
import { UploadPanel } from './uploadpanel.js';
import { Uploader } from './uploader.js';
import { Viewer } from './viewer.js';
import { routeFromHash, VIEWS } from './views.js';

const $ = (id) => document.getElementById(id);
const app = { timeline: null, viewer: null, uploader: null, panel: null, mode: 'login', view: VIEWS.photos };

// -- small things ------------------------------------------------------------------------
// A message at the bottom, with at most one action (Undo). Over the viewer when it is open:
// a modal dialog makes everything else unreachable.
let toastTimer = 0;
function toast(message, action = null) {
  const el = $('toast');
  const host = document.querySelector('dialog.viewer[open]') || document.body;
  if (el.parentElement !== host) host.append(el);
  $('toast-text').textContent = message;
  const button = $('toast-action');
  button.hidden = !action;
  button.onclick = null;
  if (action) {
    button.textContent = action.label;
    button.onclick = () => {
      el.hidden = true;
      action.run();
    };
  }
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    el.hidden = true;
  }, action ? 10000 : 6000);
}

// "1,234 photos, 3.2 GB of 10 GB": GET /users/me's photo_count, used_bytes and quota_bytes.
function showUsage(user) {
  const el = $('usage');
  if (!user || user.used_bytes == null) {
    el.textContent = '';
    return;
  }
  const parts = [];
  if (user.photo_count != null) {
    parts.push(`${user.photo_count.toLocaleString()} ${user.photo_count === 1 ? 'photo' : 'photos'}`);
  }
  const used = formatBytes(user.used_bytes) || '0 bytes';
  parts.push(user.quota_bytes ? `${used} of ${formatBytes(user.quota_bytes)}` : `${used} used`);
  el.textContent = parts.join(', ');
}

function refreshUsage() {
  return api
    .me()
    .then((user) => {
      session.set({ ...session.get(), user });
      $('user-name').textContent = user.display_name;
      showUsage(user);
    })
    .catch(() => {});
}

// -- views (router.js) -------------------------------------------------------------------
async function showView(route) {
  await app.router.show(route);
  app.view = app.router.view;
}

function show(view) {
  $('boot').hidden = true;
  $('auth-view').hidden = view !== 'auth';
  $('gallery-view').hidden = view !== 'gallery';
}

// -- accounts ----------------------------------------------------------------------------
// One form, four modes: log in, create an account, ask for a reset link ("forgot"), and
// choose a new password with the link's token ("reset").
const SUBMIT_LABEL = {
  login: 'Log in',
  register: 'Create account',
  forgot: 'Email me a reset link',
  reset: 'Set new password',
};

function setMode(mode) {
  app.mode = mode;
  const register = mode === 'register';
  $('tab-login').setAttribute('aria-selected', String(mode === 'login'));
  $('tab-register').setAttribute('aria-selected', String(register));
  $('name-field').hidden = !register;
  $('email-field').hidden = mode === 'reset';
  $('password-field').hidden = mode === 'forgot';
  $('password-label').textContent = mode === 'reset' ? 'New password' : 'Password';
  $('forgot').hidden = mode !== 'login';
  $('auth-submit').textContent = SUBMIT_LABEL[mode];
  $('auth-form').password.autocomplete = register || mode === 'reset' ? 'new-password' : 'current-password';
  $('auth-error').hidden = true;
  note('');
}

function note(message) {
  const el = $('auth-note');
  el.textContent = message;
  el.hidden = !message;
}

async function submitReset(form) {
  if (app.mode === 'forgot') {
    if (!form.email.value.trim()) return authError('Please enter your email.');
    await api.requestReset(form.email.value.trim());
    setMode('login');
    note('If an account exists for that email, a link to choose a new password is on its way.');
    return;
  }
  if (!form.password.value) return authError('Please choose a new password.');
  await api.confirmReset(app.resetToken, form.password.value);
  app.resetToken = null;
  window.history.replaceState(null, '', '/'); // the token works once: don't keep it around
  form.password.value = '';
  setMode('login');
  note('Your password is changed. Log in with the new one.');
}

function authError(message) {
  const el = $('auth-error');
  el.textContent = message;
  el.hidden = !message;
}

async function submitAuth(event) {
  event.preventDefault();
  const form = event.target;
  if (app.mode === 'forgot' || app.mode === 'reset') {
    authError('');
    try {
      await submitReset(form);
    } catch (error) {
      authError(describe(error));
    }
    return;
  }
  const email = form.email.value.trim();
  const password = form.password.value;
  const name = form.display_name.value.trim();
  if (!email || !password || (app.mode === 'register' && !name)) {
    authError(app.mode === 'register' ? 'Please fill in your name, email and password.' : 'Please enter your email and password.');
    return;
  }
  const button = $('auth-submit');
  button.disabled = true;
  authError('');
  const invite = app.mode === 'register' ? inviteToken() : null; // registering from a family invitation
  try {
    const answer =
      app.mode === 'register' ? await api.register(email, password, name, invite) : await api.login(email, password);
    session.set({ token: answer.token, expires_at: answer.expires_at, user: answer.user });
    form.password.value = '';
    if (invite) window.history.replaceState(null, '', '/#family'); // joined: the token is used up
    await enterGallery();
  } catch (error) {
    authError(describe(error));
    form.password.focus();
  } finally {
    button.disabled = false;
  }
}

async function logout() {
  const unfinished = app.uploader ? app.uploader.summary().active : 0;
  if (unfinished && !window.confirm(`${unfinished} uploads are not finished. Log out and stop them?`)) return;
  try {
    await api.logout();
  } catch {
    // the token is forgotten here either way
  }
  await leaveGallery('', true);
}

// Logging out forgets this user's unfinished uploads; a session that merely ended keeps
// them, to be resumed after logging in again.
async function leaveGallery(message = '', forget = false) {
  session.clear();
  if (app.uploader) {
    app.uploader.stop();
    if (forget) await app.uploader.discardAll();
  }
  app.uploader = null;
  app.panel.attach(null);
  if (app.viewer.isOpen) $('viewer').close();
  app.timeline.clear();
  $('resume-banner').hidden = true;
  // A shared family computer: what this user saw must not stay behind for the next one.
  if (window.caches) {
    await Promise.all(['av-api', 'av-thumbs'].map((name) => caches.delete(name))).catch(() => {});
  }
  show('auth');
  setMode('login');
  authError(message);
  $('auth-form').email.focus();
}

// The token of a family invitation's link (#/join/<token>), or null.
function inviteToken() {
  const route = routeFromHash();
  return route.page === 'join' && route.arg ? route.arg : null;
}

// -- gallery -----------------------------------------------------------------------------
async function enterGallery() {
  const current = session.get();
  show('gallery');
  $('user-name').textContent = current.user ? current.user.display_name : '';
  if (!app.uploader) {
    // Pending uploads belong to one user: another user on this browser never sees them.
    app.uploader = new Uploader(current.user ? current.user.id : 'anonymous');
    app.uploader.addEventListener('arrived', () => refreshSoon());
    app.panel.attach(app.uploader);
  }
  showUsage(current.user);
  await showView(routeFromHash());
  offerResume();
  // Refresh the user in the background (name, usage); a 401 here ends the session.
  refreshUsage();
}

// New or newly processed photos change the months and the order. Not while the viewer is
// open, though: its previous/next would jump; it refreshes when the viewer closes.
let refreshTimer = 0;
let refreshWaiting = false;
function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => {
    if (app.viewer && app.viewer.isOpen) {
      refreshWaiting = true;
      return;
    }
    if (session.get()) {
      if (!app.router.view.isPage) app.timeline.load().catch(() => {}); // a page has no timeline
      refreshUsage();
    }
  }, 400);
}

async function offerResume() {
  // The user may log out while this runs: keep to the uploader it started with.
  const uploader = app.uploader;
  if (!uploader) return;
  const records = await uploader.restorable();
  const banner = $('resume-banner');
  if (!records.length || uploader !== app.uploader) {
    banner.hidden = true;
    return;
  }
  const n = records.length;
  $('resume-text').textContent =
    `${n} ${n === 1 ? 'photo was' : 'photos were'} chosen earlier but not finished uploading. Resume?`;
  banner.hidden = false;
  $('resume-yes').onclick = () => {
    banner.hidden = true;
    uploader.resume(records);
  };
  $('resume-no').onclick = async () => {
    banner.hidden = true;
    await uploader.discard(records);
  };
}

function addFiles(fileList) {
  const files = [...fileList].filter((f) => f.size !== undefined);
  if (!files.length || !app.uploader) return;
  app.panel.fold(false);
  app.uploader.add(files);
}

function dragAndDrop() {
  const zone = $('drop-zone');
  let depth = 0;
  const hasFiles = (event) => event.dataTransfer && [...event.dataTransfer.types].includes('Files');
  document.addEventListener('dragenter', (event) => {
    if (!hasFiles(event) || $('gallery-view').hidden) return;
    depth++;
    zone.hidden = false;
  });
  document.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (!depth) zone.hidden = true;
  });
  document.addEventListener('dragover', (event) => {
    if (hasFiles(event)) event.preventDefault(); // allows the drop
  });
  document.addEventListener('drop', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth = 0;
    zone.hidden = true;
    addFiles(event.dataTransfer.files);
  });
}

// -- start -------------------------------------------------------------------------------
// The views live as long as the page; only the uploader is per user.
function setup() {
  const selection = new Selection();
  app.timeline = new Timeline($('timeline'), {
    onOpen: (index) => app.viewer.open(index),
    selection,
    source: app.view,
  });
  attachSelection($('timeline'), app.timeline, selection);
  app.scrubber = new Scrubber($('scrubber'), app.timeline);
  app.actions = new Actions({ timeline: app.timeline, selection, toast });
  app.actions.addEventListener('changed', (event) => {
    if (event.detail.deleted) refreshUsage(); // quota released
  });
  app.viewer = new Viewer($('viewer'), app.timeline, { toast, actions: app.actions });
  app.viewer.addEventListener('edited', () => {
    refreshWaiting = true; // a new date may move the photo: the timeline is read again on closing
  });
  window.addEventListener('hashchange', () => {
    if (session.get() && !$('gallery-view').hidden) showView(routeFromHash());
  });
  app.router = new Router({ timeline: app.timeline, actions: app.actions, viewer: app.viewer, selection, toast });
  app.panel = new UploadPanel($('upload-panel'));
  $('viewer').addEventListener('close', () => {
    if (refreshWaiting) {
      refreshWaiting = false;
      refreshSoon();
    }
  });
  app.timeline.addEventListener('stale', () => refreshSoon());
  app.timeline.addEventListener('loaded', () => {
    const view = app.router.view;
    $('empty').hidden = view.isPage || app.timeline.count > 0 || (!view.months && !app.timeline.exhausted);
  });
}

function start() {
  setup();
  $('tab-login').addEventListener('click', () => setMode('login'));
  $('tab-register').addEventListener('click', () => setMode('register'));
  $('auth-form').addEventListener('submit', submitAuth);
  $('forgot').addEventListener('click', () => setMode('forgot'));
  $('logout').addEventListener('click', logout);
  $('about').addEventListener('click', () => $('about-dialog').showModal());
  $('file-input').addEventListener('change', (event) => {
    addFiles(event.target.files);
    event.target.value = ''; // choosing the same files again still fires `change`
  });
  dragAndDrop();
  onUnauthorized(() => leaveGallery('Your session has ended. Please log in again.'));
  onCacheState((offline) => {
    $('offline-badge').hidden = !offline;
  });
  window.addEventListener('online', () => $('offline-badge').setAttribute('hidden', ''));

  // A password-reset email links here with ?reset_token=...
  app.resetToken = new URLSearchParams(window.location.search).get('reset_token');
  if (app.resetToken) {
    show('auth');
    setMode('reset');
  } else if (session.get()) enterGallery();
  else {
    show('auth');
    setMode(inviteToken() ? 'register' : 'login');
    if (inviteToken()) {
      note('You are invited to join a family. Create your account here, or log in to join it.');
      invitationText(inviteToken()).then(
        (words) => note(`${words} Create your account here, or log in to join it.`),
        (error) => authError(describe(error)),
      );
    }
  }

  // The service worker makes the next visit instant and offline-capable; not having one
  // (an http:// LAN address is not a secure context) only loses that.
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {});
  }
}

start();
