// Which view shows, from the address (views.js reads it): a timeline of photos (all, favorites,
// archive, trash, an album, a search, a memory, one photo) with what sits above it (an album's
// header, a search's chips, the "on this day" card), or a page of its own (albums, places, map).

import { AlbumHeader, AlbumPicker, albumButtons, attachAlbumActions, showAlbums } from './albums.js';
import { showFamily, showJoin } from './family.js';
import { showPartners } from './partners.js';
import { attachLinks } from './links.js';
import { WorldMap } from './map.js';
import { showMemories } from './memories.js';
import { describe } from './messages.js';
import { showPeople, showPersonTitle } from './people.js';
import { showPlaces } from './places.js';
import { showEvents } from './events.js';
import { showSimilar } from './similar.js';
import { showSettings } from './settings.js';
import { hideChips, SearchBox, searchTitle, showChips } from './search.js';
import { VIEWS } from './views.js';

const $ = (id) => document.getElementById(id);

// The tab of the top bar each view belongs to.
const TAB = { album: 'albums', memory: 'photos', photo: 'map', join: 'family', person: 'people' };

export class Router {
  constructor({ timeline, actions, viewer, selection, toast }) {
    this.timeline = timeline;
    this.actions = actions;
    this.viewer = viewer;
    this.toast = toast;
    this.view = VIEWS.photos;
    this.map = null;
    this.shown = 0; // bumps on every navigation: a slow answer for an older view is dropped
    this.header = new AlbumHeader({
      toast,
      onChanged: (album, reordered) => {
        if (reordered) this.timeline.load().catch(() => {}); // the same photos, the other way round
        albumButtons(this.view, this.header);
      },
    });
    this.picker = new AlbumPicker({ toast });
    attachLinks({ header: this.header, toast });
    attachAlbumActions({
      selection,
      timeline,
      viewer,
      header: this.header,
      picker: this.picker,
      toast,
      currentView: () => this.view,
    });
    this.search = new SearchBox({ currentFilters: () => (this.view.key === 'search' ? this.view.filters : {}) });
  }

  tab(key) {
    const tab = TAB[key] || key;
    for (const link of document.querySelectorAll('.views a')) {
      if (link.dataset.view === tab) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
  }

  async show(route) {
    const shown = ++this.shown;
    if (this.map) {
      this.map.stop();
      this.map = null;
    }
    if (this.viewer.isOpen) $('viewer').close();
    return route.page ? this.showPage(route, shown) : this.showTimeline(route.view, shown);
  }

  async showPage({ page, arg }, shown) {
    const view = { key: page, title: page, isPage: true, months: null, page: null };
    this.view = view;
    this.tab(page);
    document.body.dataset.view = page;
    this.actions.setView(view);
    this.timeline.clear();
    $('photos').hidden = true;
    $('scrubber').hidden = true;
    document.body.classList.remove('has-scrubber');
    $('trash-banner').hidden = true;
    const root = $('page');
    root.hidden = false;
    root.dataset.page = page;
    window.scrollTo(0, 0);
    if (page === 'albums') await showAlbums(root, { toast: this.toast });
    else if (page === 'partners') await showPartners(root, { toast: this.toast });
    else if (page === 'places') await showPlaces(root, arg);
    else if (page === 'people') await showPeople(root, { toast: this.toast });
    else if (page === 'events') await showEvents(root, arg, { toast: this.toast });
    else if (page === 'similar') await showSimilar(root, { toast: this.toast });
    else if (page === 'family') await showFamily(root, { toast: this.toast });
    else if (page === 'join') showJoin(root, arg, { toast: this.toast });
    else if (page === 'settings') await showSettings(root, { toast: this.toast });
    else if (shown === this.shown) {
      this.map = new WorldMap(root, {
        onOpen: (photoId) => {
          window.location.hash = `#photo/${encodeURIComponent(photoId)}`;
        },
      });
      await this.map.start();
    }
  }

  async showTimeline(view, shown) {
    this.view = view;
    this.tab(view.key);
    $('page').hidden = true;
    $('page').replaceChildren();
    $('photos').hidden = false;
    $('view-title').textContent = view.key === 'search' ? searchTitle(view.filters) : view.title;
    $('view-title').hidden = view.key === 'photos' || view.key === 'album';
    $('trash-banner').hidden = view.key !== 'trash';
    $('empty').hidden = true;
    $('empty').textContent = view.empty;
    document.body.dataset.view = view.key;
    this.actions.setView(view);
    if (view.key === 'search') showChips(view.filters);
    else hideChips();
    showMemories(view);
    if (view.key === 'person') showPersonTitle(view.personId, () => this.view === view);
    if (view.key === 'album') {
      this.header.show(view.albumId).then(
        () => albumButtons(view, this.header),
        (error) => this.toast(`The album could not be opened. ${describe(error)}`),
      );
    } else {
      this.header.hide();
    }
    albumButtons(view, this.header);
    try {
      await this.timeline.show(view);
    } catch (error) {
      if (error.status !== 401) this.toast(`Photos could not be loaded. ${describe(error)}`);
      return;
    }
    // One photo (from the map): straight into the viewer.
    if (view.key === 'photo' && shown === this.shown && this.timeline.count) this.viewer.open(0);
  }
}
