// A photo is recognised by its first bytes, not its name: the same magic numbers as the
// command-line client (auroravault/client/scan.py), so a Word file named .jpg is refused
// here, before any upload URL is asked for, instead of failing on the server.

export const HEAD_BYTES = 64;

const HEIC = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx']);
const AVIF = new Set(['avif', 'avis']);
const HEIF = new Set(['mif1', 'msf1']);
// MP4-family video brands (auroravault/imaging/video.py has the same list); 'qt  ' is QuickTime.
const MP4 = new Set(['isom', 'iso2', 'iso4', 'iso5', 'iso6', 'mp41', 'mp42', 'avc1', 'M4V ', 'MSNV', 'dash', '3gp4',
  '3gp5', '3gp6', '3g2a', 'XAVC', 'hvc1', 'FACE', 'mp71']);
const QT_ATOMS = new Set(['moov', 'mdat', 'wide', 'free', 'skip', 'pnot']);

function ascii(bytes, start, end) {
  return String.fromCharCode(...bytes.subarray(start, end));
}

function startsWith(bytes, prefix) {
  return prefix.length <= bytes.length && prefix.every((b, i) => bytes[i] === b);
}

// The media type of a photo or video from its first bytes (a Uint8Array), or null when it is neither.
export function sniffBytes(head) {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  const six = ascii(head, 0, 6);
  if (six === 'GIF87a' || six === 'GIF89a') return 'image/gif';
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return 'image/webp';
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return 'image/tiff';
  if (head.length >= 12 && ascii(head, 4, 8) === 'ftyp') {
    const box = ((head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3]) >>> 0;
    const major = ascii(head, 8, 12);
    const compatible = new Set();
    for (let i = 16; i + 4 <= Math.min(box, head.length); i += 4) compatible.add(ascii(head, i, i + 4));
    const any = (brands) => [...compatible].some((b) => brands.has(b));
    if (AVIF.has(major)) return 'image/avif';
    if (HEIC.has(major)) return 'image/heic';
    if (HEIF.has(major)) {
      if (any(HEIC)) return 'image/heic';
      if (any(AVIF)) return 'image/avif';
      return 'image/heif';
    }
    if (major === 'qt  ') return 'video/quicktime';
    if (MP4.has(major)) return 'video/mp4';
  }
  if (head.length >= 12 && QT_ATOMS.has(ascii(head, 4, 8))) return 'video/quicktime'; // QuickTime without ftyp
  return null;
}

// The type of a File (or Blob) from its bytes; rejects when the file cannot be read.
export async function sniffFile(file) {
  const head = new Uint8Array(await file.slice(0, HEAD_BYTES).arrayBuffer());
  return sniffBytes(head);
}
