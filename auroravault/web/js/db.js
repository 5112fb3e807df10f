// The pending list in IndexedDB: files chosen but not yet confirmed by the server survive
// a reload, a lost network or a closed tab. Files are structured-cloneable, so the File
// itself is stored (once, in `files`); the small, often-updated state lives in `pending`.

const DB_NAME = 'auroravault';
const VERSION = 1;
let opening = null;

function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, VERSION);
      req.onupgradeneeded = () => {
        const db = req.result;
        const pending = db.createObjectStore('pending', { keyPath: 'id' });
        pending.createIndex('owner', 'owner');
        db.createObjectStore('files');
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
      req.onblocked = () => reject(new Error('IndexedDB is blocked by another tab'));
    }).catch((error) => {
      opening = null;
      throw error;
    });
  }
  return opening;
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error('transaction aborted'));
  });
}

function result(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

// Store new entries with their files: [{record, file}], in one transaction.
export async function addPending(entries) {
  if (!entries.length) return;
  const db = await open();
  const tx = db.transaction(['pending', 'files'], 'readwrite');
  for (const { record, file } of entries) {
    tx.objectStore('pending').put(record);
    tx.objectStore('files').put(file, record.id);
  }
  await done(tx);
}

// Update an entry's state (never rewrites the file).
export async function savePending(record) {
  const db = await open();
  const tx = db.transaction('pending', 'readwrite');
  tx.objectStore('pending').put(record);
  await done(tx);
}

export async function removePending(ids) {
  if (!ids.length) return;
  const db = await open();
  const tx = db.transaction(['pending', 'files'], 'readwrite');
  for (const id of ids) {
    tx.objectStore('pending').delete(id);
    tx.objectStore('files').delete(id);
  }
  await done(tx);
}

// Every entry of `owner`, each with its File as `file`.
export async function listPending(owner) {
  const db = await open();
  const tx = db.transaction(['pending', 'files'], 'readonly');
  const records = await result(tx.objectStore('pending').index('owner').getAll(owner));
  const files = tx.objectStore('files');
  const withFiles = await Promise.all(
    records.map(async (record) => ({ ...record, file: await result(files.get(record.id)) })),
  );
  withFiles.sort((a, b) => a.addedAt - b.addedAt || a.seq - b.seq);
  return withFiles;
}
