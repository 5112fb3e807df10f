// ThumbHash decoder, written for AuroraVault from the format's public description and as
// the inverse of the server's encoder (auroravault/imaging.py, thumbhash_encode):
//
//   bytes 0-2  header24: L DC (6 bits), P DC (6), Q DC (6), L scale (5), has-alpha (1)
//   bytes 3-4  header16: count of L cosines on the short axis (3 bits), P scale (6),
//              Q scale (6), is-landscape (1)
//   byte  5    only with alpha: A DC (4 bits), A scale (4)
//   then       4-bit AC coefficients of L, P, Q (and A), each channel's cosines taken
//              row by row in the triangle cx * ny < nx * (ny - cy), the DC term skipped.
//
// Colours are in L (luminance), P (yellow-blue) and Q (red-green); a coefficient
// nibble n stands for (n / 7.5 - 1) * scale.

function readHeader(bytes) {
  const h24 = bytes[0] | (bytes[1] << 8) | (bytes[2] << 16);
  const h16 = bytes[3] | (bytes[4] << 8);
  const hasAlpha = (h24 >> 23) & 1;
  const landscape = (h16 >> 15) & 1;
  const long = hasAlpha ? 5 : 7;
  const short = h16 & 7;
  return {
    lDc: (h24 & 63) / 63,
    pDc: ((h24 >> 6) & 63) / 31.5 - 1,
    qDc: ((h24 >> 12) & 63) / 31.5 - 1,
    lScale: ((h24 >> 18) & 31) / 31,
    hasAlpha,
    pScale: ((h16 >> 3) & 63) / 63,
    qScale: ((h16 >> 9) & 63) / 63,
    // Cosines per axis as encoded (for the aspect ratio), before the minimum of 3 applies.
    lx: landscape ? long : short,
    ly: landscape ? short : long,
    aDc: hasAlpha ? (bytes[5] & 15) / 15 : 1,
    aScale: hasAlpha ? (bytes[5] >> 4) / 15 : 0,
    acStart: hasAlpha ? 6 : 5,
  };
}

// Read one channel's AC terms from the nibble stream, starting at nibble `start`.
function readChannel(bytes, acStart, start, nx, ny, scale) {
  const terms = [];
  let index = start;
  for (let cy = 0; cy < ny; cy++) {
    for (let cx = cy ? 0 : 1; cx * ny < nx * (ny - cy); cx++) {
      const byte = bytes[acStart + (index >> 1)] ?? 0;
      const nibble = index & 1 ? byte >> 4 : byte & 15;
      terms.push({ cx, cy, value: (nibble / 7.5 - 1) * scale });
      index++;
    }
  }
  return { terms, next: index };
}

// Evaluate DC + AC terms at every pixel. The encoder divides by w*h without the usual
// DCT weights, so a term with one non-zero frequency counts twice, two non-zero four times.
function render(dc, terms, cosX, cosY, w, h) {
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let v = dc;
      for (const t of terms) {
        const weight = (t.cx ? 2 : 1) * (t.cy ? 2 : 1);
        v += t.value * weight * cosX[t.cx][x] * cosY[t.cy][y];
      }
      out[y * w + x] = v;
    }
  }
  return out;
}

function cosines(count, size) {
  const table = [];
  for (let c = 0; c < count; c++) {
    const row = new Float32Array(size);
    for (let i = 0; i < size; i++) row[i] = Math.cos((Math.PI / size) * c * (i + 0.5));
    table.push(row);
  }
  return table;
}

const clamp01 = (v) => (v < 0 ? 0 : v > 1 ? 1 : v);

// Decode ThumbHash bytes to {w, h, rgba} (longest side `size` pixels).
export function thumbHashToRGBA(bytes, size = 32) {
  if (bytes.length < 5) throw new Error('thumbhash too short');
  const hd = readHeader(bytes);
  const nx = Math.max(3, hd.lx);
  const ny = Math.max(3, hd.ly);
  const ratio = hd.lx / hd.ly;
  const w = Math.max(1, Math.round(ratio > 1 ? size : size * ratio));
  const h = Math.max(1, Math.round(ratio > 1 ? size / ratio : size));

  const l = readChannel(bytes, hd.acStart, 0, nx, ny, hd.lScale);
  const p = readChannel(bytes, hd.acStart, l.next, 3, 3, hd.pScale);
  const q = readChannel(bytes, hd.acStart, p.next, 3, 3, hd.qScale);
  const a = hd.hasAlpha ? readChannel(bytes, hd.acStart, q.next, 5, 5, hd.aScale) : null;

  const cx = Math.max(nx, a ? 5 : 3);
  const cy = Math.max(ny, a ? 5 : 3);
  const cosX = cosines(cx, w);
  const cosY = cosines(cy, h);
  const L = render(hd.lDc, l.terms, cosX, cosY, w, h);
  const P = render(hd.pDc, p.terms, cosX, cosY, w, h);
  const Q = render(hd.qDc, q.terms, cosX, cosY, w, h);
  const A = a ? render(hd.aDc, a.terms, cosX, cosY, w, h) : null;

  const rgba = new Uint8ClampedArray(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    // Inverse of l = (r+g+b)/3, p = (r+g)/2 - b, q = r - g.
    const b = L[i] - (2 / 3) * P[i];
    const r = (3 * L[i] - b + Q[i]) / 2;
    const g = r - Q[i];
    rgba[i * 4] = clamp01(r) * 255;
    rgba[i * 4 + 1] = clamp01(g) * 255;
    rgba[i * 4 + 2] = clamp01(b) * 255;
    rgba[i * 4 + 3] = (A ? clamp01(A[i]) : 1) * 255;
  }
  return { w, h, rgba };
}

function base64ToBytes(text) {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

// Decoded placeholders as data: URLs, kept for the photos seen lately (bounded).
const cache = new Map();
const CACHE_LIMIT = 2000;
let canvas = null;

export function thumbHashDataURL(base64) {
  if (!base64) return null;
  const hit = cache.get(base64);
  if (hit !== undefined) return hit;
  let url = null;
  try {
    const { w, h, rgba } = thumbHashToRGBA(base64ToBytes(base64));
    canvas = canvas || document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    const context = canvas.getContext('2d');
    context.putImageData(new ImageData(rgba, w, h), 0, 0);
    url = canvas.toDataURL('image/png');
  } catch {
    url = null; // a malformed hash just means no placeholder
  }
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value);
  cache.set(base64, url);
  return url;
}
