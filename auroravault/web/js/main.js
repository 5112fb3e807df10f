// AuroraVault web app: wires the views together. Everything it knows about the server
// comes from the public HTTP contract (see api.js).

import { api, onCacheState, onUnauthorized, session } from './api.js';
import { describe } from './messages.js';
import { Timeline } from './timeline.js';
import { UploadPanel } from './uploadpanel.js';
import { Uploader } from './uploader.js';
import { Viewer } from './viewer.js';

const $ = (id) => document.getElementById(id);
const app = { timeline: null, viewer: null, uploader: null, panel: null, mode: 'login' };

// -- small things ------------------------------------------------------------------------
let toastTimer = 0;
function toast(message) {
  const el = $('toast');
  el.textContent = message;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    el.hidden = true;
  }, 6000);
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
  try {
    const answer =
      app.mode === 'register' ? await api.register(email, password, name) : await api.login(email, password);
    session.set({ token: answer.token, expires_at: answer.expires_at, user: answer.user });
    form.password.value = '';
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
  try {
    await app.timeline.load();
  } catch (error) {
    if (error.status !== 401) toast(`Photos could not be loaded. ${describe(error)}`);
  }
  offerResume();
  // Refresh the user in the background (name, quota); a 401 here ends the session.
  api
    .me()
    .then((user) => {
      session.set({ ...session.get(), user });
      $('user-name').textContent = user.display_name;
    })
    .catch(() => {});
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
    if (session.get()) app.timeline.load().catch(() => {});
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
  app.timeline = new Timeline($('timeline'), { onOpen: (index) => app.viewer.open(index) });
  app.viewer = new Viewer($('viewer'), app.timeline, { toast });
  app.panel = new UploadPanel($('upload-panel'));
  $('viewer').addEventListener('close', () => {
    if (refreshWaiting) {
      refreshWaiting = false;
      refreshSoon();
    }
  });
  app.timeline.addEventListener('stale', () => refreshSoon());
  app.timeline.addEventListener('loaded', () => {
    $('empty').hidden = app.timeline.count > 0;
  });
}

function start() {
  setup();
  $('tab-login').addEventListener('click', () => setMode('login'));
  $('tab-register').addEventListener('click', () => setMode('register'));
  $('auth-form').addEventListener('submit', submitAuth);
  $('forgot').addEventListener('click', () => setMode('forgot'));
  $('logout').addEventListener('click', logout);
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
    setMode('login');
  }

  // The service worker makes the next visit instant and offline-capable; not having one
  // (an http:// LAN address is not a secure context) only loses that.
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {});
  }
}

start();
