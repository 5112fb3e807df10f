// JS heap while hashing a 200 MB file with the app's streamed SHA-256 (the same code the phone
// runs): the heap (JS objects and array buffers) must not grow with the file. Run: npm run bench:hash (writes results/hash-heap.json).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { type ByteReader, HASH_CHUNK_BYTES, sha256Hex } from '../src/backup/hash';

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

/** A file of `size` bytes read in chunks, as expo-file-system's FileHandle reads one. */
function virtualFile(size: number, samples: number[]): ByteReader {
  let offset = 0;
  let reads = 0;
  return {
    async read(max: number) {
      const n = Math.min(max, size - offset);
      const chunk = new Uint8Array(n);
      for (let i = 0; i < n; i += 4096) chunk[i] = (offset + i) & 0xff;
      offset += n;
      reads += 1;
      if (reads % 8 === 0) {
        gc();
        const m = process.memoryUsage();
        samples.push(m.heapUsed + m.arrayBuffers);
      }
      return chunk;
    },
    close: () => undefined,
  };
}

async function measure(sizeMb: number) {
  const samples: number[] = [];
  gc();
  const m0 = process.memoryUsage();
  const before = m0.heapUsed + m0.arrayBuffers;
  const started = Date.now();
  await sha256Hex(virtualFile(sizeMb * 1024 * 1024, samples));
  const seconds = (Date.now() - started) / 1000;
  const mb = (b: number) => Math.round((b / 1024 / 1024) * 10) / 10;
  return {
    file_mb: sizeMb,
    heap_before_mb: mb(before),
    heap_max_during_mb: mb(Math.max(...samples)),
    heap_growth_mb: mb(Math.max(...samples) - before),
    seconds,
  };
}

it('measures the heap while hashing 20 MB and 200 MB', async () => {
  const small = await measure(20);
  const big = await measure(200);
  const result = { chunk_bytes: HASH_CHUNK_BYTES, runs: [small, big], node: process.version };
  writeFileSync(join(__dirname, 'results', 'hash-heap.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result));
});
