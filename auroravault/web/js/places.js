// The places page: the countries the photos were taken in (with counts and a cover), then the
// cities of one country (#places/PT); a city opens its photos as a search (city and country
// chips). Everything comes from GET /places, one row per city.

import { coverImage, loadCovers } from './albums.js';
import { api } from './api.js';
import { describe } from './messages.js';
import { searchHash } from './views.js';
import { el } from './dom.js';

const photos = (n) => `${n.toLocaleString()} ${n === 1 ? 'photo' : 'photos'}`;

// Rows of GET /places summed by country, the most photographed first; each keeps the cover
// of its biggest city.
export function countries(rows) {
  const byCode = new Map();
  for (const row of rows) {
    const key = row.country_code || row.country;
    const known = byCode.get(key);
    if (!known) {
      byCode.set(key, { country: row.country, country_code: row.country_code, count: row.count, cities: 1, top: row });
      continue;
    }
    known.count += row.count;
    known.cities++;
    if (row.count > known.top.count) known.top = row;
  }
  return [...byCode.values()]
    .map((c) => ({ ...c, cover_photo_id: c.top.cover_photo_id }))
    .sort((a, b) => b.count - a.count || a.country.localeCompare(b.country));
}

function card(href, title, facts, dataset) {
  const item = el('li');
  const link = el('a', 'card place-card');
  link.href = href;
  Object.assign(link.dataset, dataset);
  const frame = coverImage(null);
  link.append(frame, el('strong', 'card-title', title), el('span', 'card-facts', facts));
  item.append(link);
  return { item, frame };
}

export async function showPlaces(root, countryCode = '') {
  root.replaceChildren();
  const head = el('div', 'page-head');
  const title = el('h1', 'view-title', 'Places');
  head.append(title);
  root.append(head);
  let rows;
  try {
    rows = await api.places();
  } catch (error) {
    root.append(el('p', 'empty', `Places could not be loaded. ${describe(error)}`));
    return;
  }
  const list = el('ul', 'cards');
  const covers = [];
  if (!countryCode) {
    for (const country of countries(rows)) {
      const facts = `${photos(country.count)} · ${country.cities} ${country.cities === 1 ? 'place' : 'places'}`;
      const href = `#places/${encodeURIComponent(country.country_code || country.country)}`;
      const { item, frame } = card(href, country.country, facts, { country: country.country, code: country.country_code || '' });
      if (country.cover_photo_id) covers.push([frame, country.cover_photo_id]);
      list.append(item);
    }
  } else {
    const cities = rows
      .filter((r) => (r.country_code || r.country) === countryCode)
      .sort((a, b) => b.count - a.count || (a.city || '').localeCompare(b.city || ''));
    const back = el('a', 'back', '‹ All countries');
    back.href = '#places';
    head.prepend(back);
    title.textContent = cities.length ? cities[0].country : 'Places';
    for (const city of cities) {
      const name = city.city || city.region || city.country;
      const facts = [city.region && city.region !== name ? city.region : '', photos(city.count)].filter(Boolean).join(' · ');
      const filters = { country: city.country };
      if (city.city) filters.city = city.city;
      const { item, frame } = card(searchHash(filters), name, facts, { city: city.city || '', country: city.country });
      if (city.cover_photo_id) covers.push([frame, city.cover_photo_id]);
      list.append(item);
    }
  }
  if (!list.children.length) {
    root.append(
      el('p', 'empty', 'No places yet. Photos with a location (GPS) show here by country and city, with no network needed.'),
    );
    return;
  }
  root.append(list);
  loadCovers(covers);
}
