// A large file, part by part (DESIGN "Videos and large files"; docs/multipart.md): the server
// answered `upload: {method: "MULTIPART", part_size, parts: [{number, url, headers}]}`. Ask
// which parts it already holds (after a reload, a lost network or a fresh URL), send the
// others a few at a time, each a slice of the File (the browser reads it from disk as it
// goes), and return every part's ETag for `complete`.

import { api, ApiError } from './api.js';

const PARTS_IN_FLIGHT = 3;

export async function sendParts(entry, putFile, onProgress) {
  const { part_size: size, parts } = entry.upload;
  const listed = await api.uploadParts(entry.batchId, entry.uploadId);
  const etags = {};
  let arrived = 0;
  for (const part of listed.parts) {
    etags[part.number] = part.etag;
    arrived += part.size;
  }
  const missing = parts.filter((p) => !(p.number in etags));
  const loading = new Map(); // part number -> bytes of it sent so far
  const report = () => onProgress(arrived + [...loading.values()].reduce((a, b) => a + b, 0));
  report();
  let next = 0;
  let failed = null;
  async function worker() {
    // After one part fails no new part starts; the ones in flight finish first, so the retry's
    // listing sees them and sends none of them a second time.
    while (!failed && next < missing.length) {
      const part = missing[next++];
      const start = (part.number - 1) * size;
      const blob = entry.file.slice(start, Math.min(start + size, entry.size));
      let etag;
      try {
        etag = await putFile(part, blob, (loaded) => {
          loading.set(part.number, loaded);
          report();
        });
      } catch (error) {
        failed = failed || error;
        loading.delete(part.number);
        return;
      }
      if (!etag) throw new ApiError(0, 'etag_hidden', 'storage did not show the part’s ETag (CORS ExposeHeaders)');
      etags[part.number] = etag.replaceAll('"', '');
      loading.delete(part.number);
      arrived += blob.size;
      report();
    }
  }
  await Promise.all(Array.from({ length: Math.min(PARTS_IN_FLIGHT, missing.length) }, worker));
  if (failed) throw failed;
  return etags;
}
