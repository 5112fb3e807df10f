// Dates, sizes and exposure in words. A photo's taken_at is the camera's wall clock (with
// or without an offset), so it is shown as written, never shifted into this device's zone.

const WALL_CLOCK = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?/;

function wallClock(text) {
  const m = WALL_CLOCK.exec(text || '');
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0'] = m;
  return new Date(Date.UTC(+y, +mo - 1, +d, +h, +mi, +s));
}

// Building an Intl formatter costs far more than using one; the grid formats hundreds
// of labels per scroll frame, so each is built once.
const DAY = { timeZone: 'UTC', year: 'numeric', month: 'long', day: 'numeric' };
const FORMATS = {
  day: new Intl.DateTimeFormat(undefined, DAY),
  time: new Intl.DateTimeFormat(undefined, { ...DAY, hour: '2-digit', minute: '2-digit' }),
  month: new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', year: 'numeric', month: 'long' }),
  shortMonth: new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', year: 'numeric', month: 'short' }),
};

export function formatDate(text, withTime = true) {
  const date = wallClock(text);
  return date ? (withTime ? FORMATS.time : FORMATS.day).format(date) : '';
}

export function formatMonth(month, short = false) {
  const date = wallClock(`${month}-01`);
  return date ? (short ? FORMATS.shortMonth : FORMATS.month).format(date) : month;
}

export function formatBytes(bytes) {
  if (bytes == null) return '';
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit ? `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}` : `${bytes} bytes`;
}

export function formatExposure(exposure) {
  if (!exposure) return '';
  const parts = [];
  if (exposure.f_number) parts.push(`ƒ/${+exposure.f_number.toFixed(1)}`);
  if (exposure.exposure_time) {
    const t = exposure.exposure_time;
    parts.push(t >= 1 ? `${+t.toFixed(1)} s` : `1/${Math.round(1 / t)} s`);
  }
  if (exposure.iso) parts.push(`ISO ${exposure.iso}`);
  if (exposure.focal_length) parts.push(`${+exposure.focal_length.toFixed(1)} mm`);
  return parts.join(' · ');
}

export function formatCamera(camera) {
  if (!camera) return '';
  const make = (camera.make || '').trim();
  let model = (camera.model || '').trim();
  // "Canon / Canon PowerShot S40": say the brand once.
  if (make && model.toLowerCase().startsWith(make.toLowerCase())) model = model.slice(make.length).trim();
  const body = [make, model].filter(Boolean).join(' ');
  return [body, camera.lens].filter(Boolean).join(' · ');
}

// "Tallinn, Estonia": the photo's place by name (city, else region, and country), when the
// server named it; else its coordinates.
export function formatPlace(place, location) {
  if (place) {
    const name = [place.city || place.region, place.country].filter(Boolean).join(', ');
    if (name) return name;
  }
  return formatCoordinates(location);
}

export function formatCoordinates(location) {
  if (!location) return '';
  const lat = `${Math.abs(location.lat).toFixed(5)}° ${location.lat >= 0 ? 'N' : 'S'}`;
  const lon = `${Math.abs(location.lon).toFixed(5)}° ${location.lon >= 0 ? 'E' : 'W'}`;
  const alt = location.alt != null ? `, ${Math.round(location.alt)} m` : '';
  return `${lat}, ${lon}${alt}`;
}

export function photoLabel(photo) {
  const when = formatDate(photo.taken_at, false);
  return when ? `${photo.filename}, ${when}` : photo.filename;
}

// A video's length as m:ss (h:mm:ss past an hour), from milliseconds.
export function formatDuration(ms) {
  if (ms == null || !Number.isFinite(ms) || ms < 0) return '';
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
