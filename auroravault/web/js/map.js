// The map page: where the photos were taken, as clusters from GET /map/markers over the
// world's land. It works offline: the outline (Natural Earth, world.js) ships with the app and
// is drawn as SVG; map tiles are fetched only when the server names a tile server
// (`web.map_tile_url`, read from /web-config.json), and then lie over that same outline.
//
// Everything is in Web Mercator "world coordinates" (a 256 x 256 square at zoom 0, as tiles
// are): at zoom z one world unit is 2**z pixels on screen. Drag to pan, the wheel or +/- to
// zoom. A cluster of several photos zooms in on them; a single photo (or a cluster at the
// deepest zoom) opens in the viewer.

import { api } from './api.js';
import { describe } from './messages.js';
import { LAND } from './world.js';

const SVG = 'http://www.w3.org/2000/svg';
const WORLD = 256;
const MAX_LAT = 85.05112878;
export const MAX_ZOOM = 16;
const ASK_DELAY_MS = 150;

export function project(lon, lat) {
  const phi = (Math.max(-MAX_LAT, Math.min(MAX_LAT, lat)) * Math.PI) / 180;
  return {
    x: ((lon + 180) / 360) * WORLD,
    y: ((1 - Math.log(Math.tan(phi) + 1 / Math.cos(phi)) / Math.PI) / 2) * WORLD,
  };
}

export function unproject(x, y) {
  const n = Math.PI * (1 - (2 * y) / WORLD);
  return { lon: (x / WORLD) * 360 - 180, lat: (Math.atan(Math.sinh(n)) * 180) / Math.PI };
}

const clamp = (value, lo, hi) => Math.max(lo, Math.min(hi, value));

function svg(tag, attributes = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

let webConfig = null;
async function tileUrl() {
  if (!webConfig) {
    webConfig = fetch('/web-config.json', { cache: 'no-store' })
      .then((response) => (response.ok ? response.json() : {}))
      .catch(() => ({}));
  }
  return (await webConfig).map_tile_url || '';
}

export class WorldMap {
  constructor(root, { onOpen }) {
    this.root = root;
    this.onOpen = onOpen; // (photo_id) => open that photo
    this.asked = 0;
    this.timer = 0;
    this.tiles = '';
    root.replaceChildren();
    const head = document.createElement('div');
    head.className = 'page-head';
    const title = document.createElement('h1');
    title.className = 'view-title';
    title.textContent = 'Map';
    this.status = document.createElement('p');
    this.status.className = 'map-status';
    this.status.id = 'map-status';
    this.status.setAttribute('role', 'status');
    head.append(title, this.status);
    this.frame = document.createElement('div');
    this.frame.className = 'map';
    this.frame.id = 'map';
    this.svg = svg('svg', { role: 'img', 'aria-label': 'World map of your photos', id: 'map-svg' });
    this.svg.append(svg('rect', { class: 'sea', x: -WORLD, y: -WORLD, width: WORLD * 3, height: WORLD * 3 }));
    // Land that crosses the antimeridian is drawn on both sides of the world, clipped to it.
    const clip = svg('clipPath', { id: 'map-world' });
    clip.append(svg('rect', { x: 0, y: 0, width: WORLD, height: WORLD }));
    const defs = svg('defs');
    defs.append(clip);
    this.svg.append(defs);
    this.land = svg('path', { class: 'land', d: LAND, 'vector-effect': 'non-scaling-stroke', 'clip-path': 'url(#map-world)' });
    this.tileLayer = svg('g', { class: 'tiles' });
    this.clusterLayer = svg('g', { class: 'clusters' });
    this.svg.append(this.land, this.tileLayer, this.clusterLayer);
    const zoom = document.createElement('div');
    zoom.className = 'map-zoom';
    for (const [label, step, name] of [
      ['+', 1, 'Zoom in'],
      ['−', -1, 'Zoom out'],
    ]) {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = label;
      button.setAttribute('aria-label', name);
      button.id = step > 0 ? 'map-zoom-in' : 'map-zoom-out';
      button.addEventListener('click', () => this.zoomBy(step));
      zoom.append(button);
    }
    this.frame.append(this.svg, zoom);
    root.append(head, this.frame);
    this.zoom = 0;
    this.center = { x: WORLD / 2, y: WORLD / 2 };
    this.interact();
    this.onResize = () => this.draw();
    window.addEventListener('resize', this.onResize);
  }

  async start() {
    this.tiles = await tileUrl();
    this.frame.dataset.tiles = this.tiles ? 'on' : 'off';
    const { width } = this.size();
    this.zoom = Math.max(0, Math.floor(Math.log2(width / WORLD)));
    this.center = project(10, 30); // the world, a little north: where most people live
    this.draw();
  }

  stop() {
    window.removeEventListener('resize', this.onResize);
    clearTimeout(this.timer);
    this.asked++;
  }

  size() {
    return { width: this.frame.clientWidth || 800, height: this.frame.clientHeight || 500 };
  }

  // The part of the world on screen, in world units.
  view() {
    const { width, height } = this.size();
    const scale = 2 ** this.zoom;
    const w = width / scale;
    const h = height / scale;
    return { x: this.center.x - w / 2, y: this.center.y - h / 2, w, h, scale };
  }

  draw() {
    const v = this.view();
    this.center.y = clamp(this.center.y, Math.min(v.h / 2, WORLD / 2), Math.max(WORLD - v.h / 2, WORLD / 2));
    this.center.x = clamp(this.center.x, 0, WORLD);
    const { x, y, w, h } = this.view();
    this.svg.setAttribute('viewBox', `${x} ${y} ${w} ${h}`);
    this.frame.dataset.zoom = String(this.zoom);
    if (this.tiles) this.drawTiles();
    this.placeClusters();
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.ask(), ASK_DELAY_MS);
  }

  // [minLon, minLat, maxLon, maxLat] on screen, within the world.
  bbox() {
    const { x, y, w, h } = this.view();
    const a = unproject(clamp(x, 0, WORLD), clamp(y + h, 0, WORLD));
    const b = unproject(clamp(x + w, 0, WORLD), clamp(y, 0, WORLD));
    return [clamp(a.lon, -180, 180), clamp(a.lat, -90, 90), clamp(b.lon, -180, 180), clamp(b.lat, -90, 90)];
  }

  async ask() {
    const asked = ++this.asked;
    this.frame.dataset.state = 'loading';
    try {
      const answer = await api.markers(this.bbox(), this.zoom);
      if (asked !== this.asked) return;
      this.clusters = answer.clusters || [];
      this.placeClusters();
      const total = this.clusters.reduce((sum, c) => sum + c.count, 0);
      this.status.textContent = total
        ? `${total.toLocaleString()} ${total === 1 ? 'photo' : 'photos'} in view`
        : 'No photos with a location in view.';
      this.frame.dataset.state = 'ready';
    } catch (error) {
      if (asked !== this.asked) return;
      this.status.textContent = `The photos could not be placed. ${describe(error)}`;
      this.frame.dataset.state = 'error';
    }
  }

  placeClusters() {
    const { scale } = this.view();
    this.clusterLayer.replaceChildren();
    for (const cluster of this.clusters || []) {
      const { x, y } = project(cluster.lon, cluster.lat);
      const radius = (cluster.count > 1 ? 11 + 4 * Math.log10(cluster.count) : 8) / scale;
      const group = svg('g', {
        class: 'cluster',
        role: 'button',
        tabindex: 0,
        'data-count': cluster.count,
        'data-photo-id': cluster.photo_id || '',
        'aria-label': cluster.count === 1 ? 'A photo: open it' : `${cluster.count} photos: zoom in`,
      });
      group.append(svg('circle', { cx: x, cy: y, r: radius }));
      if (cluster.count > 1) {
        const label = svg('text', { x, y, 'font-size': 11 / scale, 'text-anchor': 'middle', 'dominant-baseline': 'central' });
        label.textContent = cluster.count > 999 ? `${Math.round(cluster.count / 1000)}k` : String(cluster.count);
        group.append(label);
      }
      const open = () => this.choose(cluster, { x, y });
      group.addEventListener('click', open);
      group.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          open();
        }
      });
      this.clusterLayer.append(group);
    }
  }

  choose(cluster, at) {
    if (cluster.count > 1 && this.zoom < MAX_ZOOM) {
      this.center = { ...at };
      this.zoom = Math.min(MAX_ZOOM, this.zoom + 2);
      this.draw();
    } else if (cluster.photo_id) {
      this.onOpen(cluster.photo_id);
    }
  }

  zoomBy(step, at = null) {
    const zoom = clamp(this.zoom + step, 0, MAX_ZOOM);
    if (zoom === this.zoom) return;
    if (at) {
      // Keep the world point under the pointer where it is.
      const factor = 2 ** (this.zoom - zoom);
      this.center = { x: at.x + (this.center.x - at.x) * factor, y: at.y + (this.center.y - at.y) * factor };
    }
    this.zoom = zoom;
    this.draw();
  }

  // The world point under a screen point.
  worldAt(clientX, clientY) {
    const rect = this.svg.getBoundingClientRect();
    const { x, y, scale } = this.view();
    return { x: x + (clientX - rect.left) / scale, y: y + (clientY - rect.top) / scale };
  }

  interact() {
    let drag = null;
    this.svg.addEventListener('pointerdown', (event) => {
      if (event.target.closest('.cluster')) return;
      drag = { x: event.clientX, y: event.clientY, center: { ...this.center } };
      this.svg.setPointerCapture(event.pointerId);
    });
    this.svg.addEventListener('pointermove', (event) => {
      if (!drag) return;
      const { scale } = this.view();
      this.center = { x: drag.center.x - (event.clientX - drag.x) / scale, y: drag.center.y - (event.clientY - drag.y) / scale };
      this.draw();
    });
    const end = () => {
      drag = null;
    };
    this.svg.addEventListener('pointerup', end);
    this.svg.addEventListener('pointercancel', end);
    let wheel = 0;
    this.svg.addEventListener(
      'wheel',
      (event) => {
        event.preventDefault();
        wheel += event.deltaY;
        if (Math.abs(wheel) < 60) return;
        this.zoomBy(wheel < 0 ? 1 : -1, this.worldAt(event.clientX, event.clientY));
        wheel = 0;
      },
      { passive: false },
    );
    this.frame.addEventListener('keydown', (event) => {
      if (event.target.closest('.cluster')) return;
      const { scale } = this.view();
      const step = 80 / scale;
      const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
      if (event.key === '+' || event.key === '=') this.zoomBy(1);
      else if (event.key === '-') this.zoomBy(-1);
      else if (moves[event.key]) {
        this.center = { x: this.center.x + moves[event.key][0], y: this.center.y + moves[event.key][1] };
        this.draw();
      } else return;
      event.preventDefault();
    });
  }

  // Tiles of the configured server at the zoom shown, over the outline (which stays beneath
  // as the fallback when a tile cannot be had).
  drawTiles() {
    const z = Math.min(19, this.zoom);
    const n = 2 ** z;
    const size = WORLD / n;
    const { x, y, w, h } = this.view();
    const wanted = new Set();
    for (let tx = Math.max(0, Math.floor(x / size)); tx <= Math.min(n - 1, Math.floor((x + w) / size)); tx++) {
      for (let ty = Math.max(0, Math.floor(y / size)); ty <= Math.min(n - 1, Math.floor((y + h) / size)); ty++) {
        wanted.add(`${z}/${tx}/${ty}`);
      }
    }
    for (const image of [...this.tileLayer.children]) {
      if (!wanted.has(image.dataset.tile)) image.remove();
      else wanted.delete(image.dataset.tile);
    }
    for (const key of wanted) {
      const [tz, tx, ty] = key.split('/').map(Number);
      const image = svg('image', { x: tx * size, y: ty * size, width: size, height: size, 'data-tile': key });
      image.setAttribute('href', this.tiles.replace('{z}', tz).replace('{x}', tx).replace('{y}', ty));
      image.addEventListener('error', () => image.remove());
      this.tileLayer.append(image);
    }
  }
}
