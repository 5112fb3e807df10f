// The timeline as list rows: a header per month, then rows of `columns` photos.
import type { Photo } from '../api/types';

export type Row = { key: string; kind: 'header'; label: string } | { key: string; kind: 'photos'; photos: Photo[] };

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export function monthLabel(takenAt: string): string {
  const m = /^(\d{4})-(\d{2})/.exec(takenAt);
  if (!m) return 'Unknown date';
  return `${MONTHS[Number(m[2]) - 1]} ${m[1]}`;
}

export function toRows(photos: Photo[], columns: number): Row[] {
  const rows: Row[] = [];
  let label: string | null = null;
  let current: Photo[] = [];
  const flush = () => {
    if (current.length) rows.push({ key: `r-${current[0].id}`, kind: 'photos', photos: current });
    current = [];
  };
  for (const p of photos) {
    const l = monthLabel(p.taken_at);
    if (l !== label) {
      flush();
      label = l;
      rows.push({ key: `h-${l}`, kind: 'header', label: l });
    }
    current.push(p);
    if (current.length === columns) flush();
  }
  flush();
  return rows;
}
