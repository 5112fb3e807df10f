// Uploads through the presigned batch contract: hash each file (sha256), ask for URLs for
// up to 50 files at a time, PUT the bytes straight to storage with exactly the headers
// given, then confirm. Every step is retried with exponential backoff when the failure is
// transient, and every file waits in IndexedDB until the server has confirmed it.
//
// One entry per file moves through these states:
//   queued -> hashing -> ready -> initing -> send -> sending -> sent -> completing -> done
//   and may end in duplicate (already in the vault) or failed (with a reason).

import { api, ApiError } from './api.js';
import * as db from './db.js';
import { describe } from './messages.js';
import { sendParts } from './parts.js';
import { sha256File } from './sha256.js';
import { sniffFile } from './sniff.js';

const MAX_BATCH = 50; // the contract's default uploads.max_batch; shrinks if a server says less
const HASH_SLOTS = 2;
const PUT_SLOTS = 4;
const MAX_ATTEMPTS = 8;
const BACKOFF_BASE_MS = 1000;
const BACKOFF_CAP_MS = 60000;
const BATCH_WAIT_MS = 800; // let a few more hashes finish so batches are not of one file
const COMPLETE_WAIT_MS = 1500;

const TERMINAL = new Set(['done', 'duplicate', 'failed']);
const PERSISTED = ['id', 'owner', 'seq', 'addedAt', 'name', 'size', 'type', 'sha256', 'state', 'photoId', 'uploadId', 'batchId'];

let seqCounter = 0;

// The file's last modification (File.lastModified) as ISO 8601: the server takes it as the
// date taken when the photo has no capture date of its own (a scan, a screenshot).
function modifiedAt(file) {
  const ms = file && file.lastModified;
  return Number.isFinite(ms) && ms > 0 ? { file_modified_at: new Date(ms).toISOString() } : {};
}

function newId() {
  if (globalThis.crypto && crypto.randomUUID) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

// Full jitter: a random wait up to base * 2^attempt, capped.
function backoff(attempt) {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
  return Math.max(250, Math.random() * ceiling);
}

// Resolves with the answer's ETag (a multipart part's, which `complete` names).
function putFile(upload, file, onProgress) {
  return new Promise((resolve, reject) => {
    // XMLHttpRequest rather than fetch: it reports upload progress.
    const xhr = new XMLHttpRequest();
    xhr.open(upload.method || 'PUT', upload.url);
    for (const [name, value] of Object.entries(upload.headers || {})) {
      // The browser sets Content-Length itself (and refuses to be told).
      if (name.toLowerCase() !== 'content-length') xhr.setRequestHeader(name, value);
    }
    xhr.upload.onprogress = (event) => onProgress(event.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) return resolve(xhr.getResponseHeader('ETag'));
      let code = `http_${xhr.status}`;
      let detail = `storage answered ${xhr.status}`;
      try {
        const problem = JSON.parse(xhr.responseText);
        code = problem.code || code;
        detail = problem.detail || detail;
      } catch {
        // S3 answers XML; the status says enough
      }
      reject(new ApiError(xhr.status, code, detail));
    };
    xhr.onerror = () => reject(new ApiError(0, 'network_error', 'the upload was interrupted'));
    xhr.onabort = () => reject(new ApiError(0, 'network_error', 'the upload was interrupted'));
    xhr.ontimeout = () => reject(new ApiError(0, 'network_error', 'the upload timed out'));
    xhr.send(file);
  });
}

export class Uploader extends EventTarget {
  constructor(owner) {
    super();
    this.owner = owner;
    this.items = new Map(); // id -> entry, in the order chosen
    this.hashing = 0;
    this.sending = 0;
    this.initing = false;
    this.completing = false;
    this.maxBatch = MAX_BATCH;
    this.timer = null;
    this.stopped = false;
    this.persistChain = Promise.resolve();
    this.xhrs = new Set();
    this.onOnline = () => this.wake();
    window.addEventListener('online', this.onOnline);
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    window.removeEventListener('online', this.onOnline);
  }

  // -- public ------------------------------------------------------------------------------
  async add(files) {
    const entries = [];
    const list = Array.from(files);
    // The type comes from the bytes, like the CLI's: a name or a browser's guess proves
    // nothing (undefined: the file could not be read; null: not a photo).
    const types = await Promise.all(list.map((f) => (f.size ? sniffFile(f).catch(() => undefined) : null)));
    for (const [n, file] of list.entries()) {
      const entry = {
        id: newId(),
        owner: this.owner,
        seq: seqCounter++,
        addedAt: Date.now(),
        name: file.name,
        size: file.size,
        type: types[n] || '',
        sha256: null,
        state: 'queued',
        attempts: 0,
        file,
        loaded: 0,
        nextAt: 0,
      };
      // Refuse locally what the server would refuse: one bad file fails a whole batch.
      if (!file.size) this.fail(entry, { code: 'file_empty' }, false);
      else if (types[n] === undefined) this.fail(entry, { code: 'unreadable' }, false);
      else if (!types[n]) this.fail(entry, { code: 'not_a_photo' }, false);
      this.items.set(entry.id, entry);
      entries.push(entry);
    }
    const keep = entries.filter((e) => !TERMINAL.has(e.state));
    // Into IndexedDB before any work starts, so a reload right now loses nothing.
    await db.addPending(keep.map((e) => ({ record: this.record(e), file: e.file }))).catch(() => {});
    this.changed();
    this.pump();
    return entries;
  }

  // Entries of an earlier session (reload, closed tab) that this tab is not working on.
  async restorable() {
    try {
      const records = await db.listPending(this.owner);
      return records.filter((r) => !this.items.has(r.id));
    } catch {
      return [];
    }
  }

  resume(records) {
    for (const record of records) {
      const entry = { ...record, loaded: 0, nextAt: 0, attempts: 0, readyAt: 0 };
      this.items.set(entry.id, entry);
      if (!entry.file) {
        this.fail(entry, { code: 'unreadable' }, false);
      } else if (entry.state === 'sent' || entry.state === 'completing') {
        this.set(entry, entry.batchId && entry.uploadId ? 'sent' : 'ready', false);
      } else {
        // A URL from before may have expired: ask for a fresh one (the server resumes the
        // same upload for the same sha256).
        this.set(entry, entry.sha256 ? 'ready' : 'queued', false);
      }
    }
    this.changed();
    this.pump();
  }

  // Through the same chain as every other write, so nothing queued brings them back.
  async discard(records) {
    const ids = records.map((r) => r.id);
    this.persistChain = this.persistChain.then(() => db.removePending(ids)).catch(() => {});
    await this.persistChain;
  }

  async discardAll() {
    const records = await this.restorable();
    await this.discard([...records, ...this.items.values()]);
    this.items.clear();
    this.changed();
  }

  retryFailed() {
    for (const entry of this.items.values()) {
      if (entry.state === 'failed' && entry.retryable) {
        entry.state = entry.sha256 ? 'ready' : 'queued';
        entry.attempts = 0;
        entry.reason = null;
        entry.nextAt = 0;
        this.persist(entry, true);
      }
    }
    this.changed();
    this.pump();
  }

  clearFinished() {
    for (const [id, entry] of this.items) if (TERMINAL.has(entry.state)) this.items.delete(id);
    this.changed();
  }

  // Network back, or the user asked: everything waiting on a backoff goes now.
  wake() {
    for (const entry of this.items.values()) entry.nextAt = 0;
    this.pump();
  }

  summary() {
    const s = { total: 0, done: 0, duplicate: 0, failed: 0, active: 0, bytesTotal: 0, bytesDone: 0 };
    for (const e of this.items.values()) {
      s.total++;
      if (e.state === 'failed') {
        s.failed++;
        continue;
      }
      s.bytesTotal += e.size;
      if (e.state === 'done' || e.state === 'duplicate' || e.state === 'sent' || e.state === 'completing') {
        s.bytesDone += e.size;
      } else if (e.state === 'sending') {
        s.bytesDone += e.loaded;
      }
      if (e.state === 'done') s.done++;
      else if (e.state === 'duplicate') s.duplicate++;
      else s.active++;
    }
    return s;
  }

  // -- the loop ----------------------------------------------------------------------------
  pump() {
    if (this.stopped) return;
    clearTimeout(this.timer);
    const now = Date.now();
    const due = (e) => e.nextAt <= now;
    const entries = [...this.items.values()];

    for (const e of entries) {
      if (this.hashing >= HASH_SLOTS) break;
      if (e.state === 'queued' && due(e)) this.hash(e);
    }

    if (!this.initing) {
      const ready = entries.filter((e) => e.state === 'ready' && due(e));
      const stillHashing = entries.some((e) => e.state === 'queued' || e.state === 'hashing');
      const oldest = Math.min(...ready.map((e) => e.readyAt || 0));
      if (ready.length && (ready.length >= this.maxBatch || !stillHashing || now - oldest >= BATCH_WAIT_MS)) {
        this.init(ready.slice(0, this.maxBatch));
      }
    }

    for (const e of entries) {
      if (this.sending >= PUT_SLOTS) break;
      if (e.state === 'send' && due(e)) this.put(e);
    }

    if (!this.completing) {
      const byBatch = new Map();
      for (const e of entries) {
        if (e.state === 'sent' && due(e)) {
          if (!byBatch.has(e.batchId)) byBatch.set(e.batchId, []);
          byBatch.get(e.batchId).push(e);
        }
      }
      for (const [batchId, sent] of byBatch) {
        // Confirm a batch once its other files are through, or after a short wait.
        const busy = entries.some((e) => e.batchId === batchId && (e.state === 'send' || e.state === 'sending'));
        const oldest = Math.min(...sent.map((e) => e.sentAt || 0));
        if (!busy || now - oldest >= COMPLETE_WAIT_MS) {
          this.complete(batchId, sent);
          break;
        }
      }
    }

    // Wake up for the next backoff that ends, or to flush waiting batches.
    const waits = entries
      .filter((e) => !TERMINAL.has(e.state))
      .map((e) => (e.nextAt > now ? e.nextAt - now : null))
      .filter((w) => w !== null);
    if (entries.some((e) => (e.state === 'ready' || e.state === 'sent') && due(e))) waits.push(300);
    if (waits.length) this.timer = setTimeout(() => this.pump(), Math.min(...waits));
  }

  async hash(entry) {
    this.hashing++;
    this.set(entry, 'hashing');
    try {
      entry.sha256 = await sha256File(entry.file);
      // The same bytes chosen twice and still on their way: send them once. (Once they are
      // in the vault, the server itself answers `duplicate`.)
      const twin = [...this.items.values()].find(
        (e) => e !== entry && e.sha256 === entry.sha256 && !TERMINAL.has(e.state),
      );
      if (twin) {
        entry.reason = `the same file as ${twin.name}`;
        entry.photoId = twin.photoId;
        this.set(entry, 'duplicate');
      } else {
        entry.readyAt = Date.now();
        this.set(entry, 'ready');
      }
    } catch {
      this.fail(entry, { code: 'unreadable' });
    } finally {
      this.hashing--;
      this.pump();
    }
  }

  async init(batch) {
    this.initing = true;
    batch.forEach((e) => this.set(e, 'initing', false));
    this.changed();
    try {
      const answer = await api.initUploads(
        batch.map((e) => ({
          filename: e.name,
          size: e.size,
          content_type: e.type,
          sha256: e.sha256,
          client_ref: e.id,
          ...modifiedAt(e.file),
        })),
      );
      for (const item of answer.items) {
        const entry = batch.find((e) => e.id === item.client_ref) || batch[item.index];
        if (!entry) continue;
        if (item.status === 'duplicate') {
          // Our own earlier upload of this file, finished before a reload: that is success.
          const ours = entry.photoId && entry.photoId === item.photo_id;
          entry.photoId = item.photo_id;
          this.set(entry, ours ? 'done' : 'duplicate');
        } else {
          entry.photoId = item.photo_id;
          entry.uploadId = item.upload_id;
          entry.batchId = answer.batch_id;
          entry.upload = item.upload;
          entry.loaded = 0;
          this.set(entry, 'send');
        }
      }
      this.maxBatch = Math.min(MAX_BATCH, this.maxBatch * 2);
    } catch (error) {
      this.initFailed(batch, error);
    } finally {
      this.initing = false;
      this.changed();
      this.pump();
    }
  }

  initFailed(batch, error) {
    if (error.status === 422 && error.errors && error.errors.length) {
      // A refused batch lists every bad file; the others go again without them.
      const bad = new Map(error.errors.map((problem) => [problem.index, problem]));
      batch.forEach((entry, index) => {
        const problem = bad.get(index);
        if (problem) this.fail(entry, new ApiError(422, problem.code, problem.detail), false);
        else this.set(entry, 'ready');
      });
    } else if (error.code === 'batch_too_large') {
      this.maxBatch = Math.max(1, Math.floor(batch.length / 2));
      batch.forEach((e) => this.set(e, 'ready'));
    } else if (error.status === 401) {
      batch.forEach((e) => this.set(e, 'ready'));
      this.stop(); // the session is over; the entries wait in IndexedDB
    } else if (error.transient) {
      batch.forEach((e) => this.retryLater(e, 'ready', error));
    } else {
      // Refused for good (over quota, ...): say why; "Retry failed" tries again later.
      batch.forEach((e) => this.fail(e, error, true));
    }
  }

  async put(entry) {
    this.sending++;
    entry.loaded = 0;
    this.set(entry, 'sending');
    try {
      const progress = (loaded) => {
        entry.loaded = loaded;
        this.changed();
      };
      if (entry.upload.method === 'MULTIPART') entry.parts = await sendParts(entry, putFile, progress);
      else await putFile(entry.upload, entry.file, progress);
      entry.loaded = entry.size;
      entry.sentAt = Date.now();
      entry.upload = null;
      this.set(entry, 'sent');
    } catch (error) {
      entry.loaded = 0;
      if (error.transient) this.retryLater(entry, 'ready', error);
      else if (error.status === 403) this.retryLater(entry, 'ready', error, 0); // expired: a fresh URL
      else this.fail(entry, error, false);
    } finally {
      this.sending--;
      this.pump();
    }
  }

  async complete(batchId, sent) {
    this.completing = true;
    sent.forEach((e) => this.set(e, 'completing', false));
    this.changed();
    try {
      // Multipart uploads name their parts' ETags; after a reload they are not known, and the
      // server joins what it holds once every part is there.
      const named = sent.filter((e) => e.parts);
      const parts = named.length
        ? Object.fromEntries(named.map((e) => [e.uploadId, Object.entries(e.parts).map(([n, etag]) => ({ number: +n, etag }))]))
        : null;
      const answer = await api.complete(batchId, sent.map((e) => e.uploadId), parts);
      const byUpload = new Map(answer.items.map((item) => [item.upload_id, item]));
      let arrived = 0;
      for (const entry of sent) {
        const item = byUpload.get(entry.uploadId);
        if (!item || item.status === 'pending' || item.status === 'expired') {
          // The storage has not seen the bytes (or the upload lapsed): send them again.
          this.retryLater(entry, 'ready', new ApiError(0, 'not_arrived', 'the storage has not seen the file yet'));
        } else if (item.status === 'rejected') {
          this.fail(entry, { code: (item.reason || 'rejected').split(':')[0], detail: item.reason }, false);
        } else {
          arrived++;
          this.set(entry, 'done');
        }
      }
      if (arrived) this.dispatchEvent(new CustomEvent('arrived', { detail: arrived }));
    } catch (error) {
      if (error.status === 404) sent.forEach((e) => this.set(e, 'ready')); // moved to another batch
      else if (error.status === 422) {
        // Named parts the server does not hold as named: ask again what arrived, send the rest.
        sent.forEach((e) => {
          e.parts = null;
          this.retryLater(e, 'ready', error);
        });
      }
      else if (error.status === 401) this.stop();
      else sent.forEach((e) => this.retryLater(e, 'sent', error));
    } finally {
      this.completing = false;
      this.changed();
      this.pump();
    }
  }

  // -- state -------------------------------------------------------------------------------
  retryLater(entry, state, error, delay = null) {
    entry.lastError = error;
    if (!navigator.onLine) {
      // Offline: no attempt is spent; the `online` event wakes everything up.
      entry.nextAt = Date.now() + BACKOFF_CAP_MS;
      entry.waiting = 'offline';
    } else {
      entry.attempts = (entry.attempts || 0) + 1;
      if (entry.attempts > MAX_ATTEMPTS) {
        this.fail(entry, { code: 'gave_up', detail: describe(error) }, true);
        return;
      }
      const wait = delay ?? (error.retryAfter != null ? error.retryAfter * 1000 : backoff(entry.attempts));
      entry.nextAt = Date.now() + wait;
      entry.waiting = 'retry';
    }
    this.set(entry, state);
  }

  fail(entry, error, retryable = true) {
    entry.reason = error.code === 'gave_up' ? `${describe(error)} (${error.detail})` : describe(error);
    entry.code = error.code;
    entry.retryable = retryable;
    this.set(entry, 'failed');
  }

  set(entry, state, notify = true) {
    entry.state = state;
    if (state !== 'ready' && state !== 'send' && state !== 'sent') entry.waiting = null;
    this.persist(entry);
    if (notify) this.changed();
  }

  record(entry) {
    const out = {};
    for (const key of PERSISTED) out[key] = entry[key] ?? null;
    return out;
  }

  // IndexedDB writes go one after another, so a late save never resurrects a removed entry.
  persist(entry, add = false) {
    if (!this.items.has(entry.id)) return;
    const record = this.record(entry);
    const terminal = TERMINAL.has(entry.state);
    this.persistChain = this.persistChain
      .then(() => {
        if (terminal) return db.removePending([entry.id]);
        return add ? db.addPending([{ record, file: entry.file }]) : db.savePending(record);
      })
      .catch(() => {}); // private browsing may refuse IndexedDB: uploads still work
  }

  changed() {
    this.dispatchEvent(new Event('change'));
  }
}
