// What the Search tab asks for: words and filters, and how a query reads back to the user.
import type { Place, SearchQuery } from '../api/types';

/** True when the query asks for anything at all (words or a filter). */
export function hasQuery(q: SearchQuery): boolean {
  return Object.keys(searchKeyParts(q)).length > 0;
}

function searchKeyParts(q: SearchQuery): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ['q', 'from', 'to', 'camera', 'city', 'country', 'type'] as const) {
    const v = q[key]?.trim();
    if (v) out[key] = v;
  }
  if (q.favorite) out.favorite = 'yes';
  return out;
}

/** A stable key for the result grid: the same query keeps its grid, another starts afresh. */
export function queryKey(q: SearchQuery): string {
  return JSON.stringify(searchKeyParts(q));
}

/** The filters in words ("favorites · videos · Nice · from 2024-01-01"), for the results' heading. */
export function describeQuery(q: SearchQuery): string {
  const parts: string[] = [];
  if (q.q?.trim()) parts.push(`“${q.q.trim()}”`);
  if (q.favorite) parts.push('favorites');
  if (q.type === 'image') parts.push('photos');
  if (q.type === 'video') parts.push('videos');
  const place = [q.city?.trim(), q.country?.trim()].filter(Boolean).join(', ');
  if (place) parts.push(place);
  if (q.camera?.trim()) parts.push(q.camera.trim());
  if (q.from?.trim()) parts.push(`from ${q.from.trim()}`);
  if (q.to?.trim()) parts.push(`to ${q.to.trim()}`);
  return parts.join(' · ');
}

/** A place row's name: "Nice, France", or the region or the country alone. */
export function placeName(p: Place): string {
  return [p.city ?? p.region, p.country].filter(Boolean).join(', ') || 'Unknown place';
}

/** The search a place row opens: its city (and country), or its country alone. */
export function placeQuery(p: Place): SearchQuery {
  return { ...(p.city ? { city: p.city } : {}), ...(p.country ? { country: p.country } : {}) };
}
