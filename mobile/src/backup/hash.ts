// SHA-256 of a file read in chunks: memory stays at one chunk whatever the file's size.
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex } from '@noble/hashes/utils';

export const HASH_CHUNK_BYTES = 1024 * 1024;

/** Reads the next chunk of at most `max` bytes; an empty array means the end. */
export interface ByteReader {
  read(max: number): Promise<Uint8Array>;
  close(): Promise<void> | void;
}

export async function sha256Hex(reader: ByteReader, chunkBytes: number = HASH_CHUNK_BYTES): Promise<string> {
  const hash = sha256.create();
  try {
    for (;;) {
      const chunk = await reader.read(chunkBytes);
      if (chunk.length === 0) break;
      hash.update(chunk);
    }
  } finally {
    await reader.close();
  }
  return bytesToHex(hash.digest());
}
