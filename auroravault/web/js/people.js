// The people page: the faces found in your photos, one card per person (GET /people, most
// faces first) with their face crop, name and count. Rename inline, hide and unhide (hidden
// people behind "Show hidden"), select several and "Merge" them into the first; "Look in every
// photo" queues the photos never looked at (POST /people/backfill), "Regroup" re-clusters now
// (POST /people/recluster). #person/ID is a timeline of their photos (views.js personView);
// the viewer lists a photo's faces.

import { api, blobUrl } from './api.js';
import { coverImage } from './albums.js';
import { button, el } from './dom.js';
import { describe } from './messages.js';

const faces = (n) => `${n.toLocaleString()} ${n === 1 ? 'face' : 'faces'}`;
const FACES_AT_ONCE = 6;
const state = { showHidden: false };

async function loadFaces(frames) {
  const queue = [...frames];
  const worker = async () => {
    while (queue.length) {
      const [frame, url] = queue.shift();
      try {
        frame.replaceWith(coverImage(await blobUrl(url)));
      } catch {
        // the crop could not be made: the empty frame stays
      }
    }
  };
  await Promise.all(Array.from({ length: FACES_AT_ONCE }, worker));
}

function nameInput(person, { toast }) {
  const input = el('input', 'person-name');
  input.type = 'text';
  input.value = person.name || '';
  input.placeholder = 'Add a name';
  input.maxLength = 200;
  input.setAttribute('aria-label', 'Name');
  const save = async () => {
    const name = input.value.trim();
    if (name === (person.name || '')) return;
    try {
      const saved = await api.editPerson(person.id, { name: name || null });
      person.name = saved.name;
      input.value = saved.name || '';
      input.dataset.saved = input.value;
    } catch (error) {
      input.value = person.name || '';
      toast(`The name could not be saved. ${describe(error)}`);
    }
  };
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') input.blur();
    if (event.key === 'Escape') {
      input.value = person.name || '';
      input.blur();
    }
  });
  input.addEventListener('change', save);
  return input;
}

function card(person, { toast, reload, onSelect }) {
  const item = el('li', 'person-card');
  item.dataset.id = person.id;
  item.dataset.hidden = String(person.hidden);
  const link = el('a', 'card person-link');
  link.href = `#person/${encodeURIComponent(person.id)}`;
  link.title = person.name ? `Photos of ${person.name}` : 'Photos of this person';
  const frame = coverImage(null);
  link.append(frame, el('span', 'card-facts person-count', faces(person.face_count)));
  const pick = el('input', 'person-select');
  pick.type = 'checkbox';
  pick.setAttribute('aria-label', 'Select to merge');
  pick.addEventListener('change', () => onSelect(person.id, pick.checked));
  const hide = button(person.hidden ? 'Unhide' : 'Hide', 'person-hide', async () => {
    hide.disabled = true;
    try {
      await api.editPerson(person.id, { hidden: !person.hidden });
      await reload();
    } catch (error) {
      hide.disabled = false;
      toast(`This person could not be ${person.hidden ? 'shown' : 'hidden'}. ${describe(error)}`);
    }
  });
  const tools = el('div', 'person-tools');
  tools.append(pick, hide);
  item.append(link, nameInput(person, { toast }), tools);
  return { item, frame };
}

async function render(root, list, { toast }) {
  let people;
  try {
    people = await api.people();
  } catch (error) {
    const off = error.code === 'faces_unavailable'; // the server says why (the extra, or turned off)
    const text = off ? error.detail : `People could not be loaded. ${describe(error)}`;
    list.replaceWith(el('p', 'empty people-off', text));
    root.querySelector('.people-tools')?.remove();
    return;
  }
  const selected = [];
  const merge = root.querySelector('#people-merge');
  const onSelect = (personId, on) => {
    const at = selected.indexOf(personId);
    if (on && at < 0) selected.push(personId);
    if (!on && at >= 0) selected.splice(at, 1);
    merge.disabled = selected.length < 2;
  };
  const reload = () => render(root, list, { toast });
  merge.disabled = true;
  merge.onclick = async () => {
    // Into the one with the most faces (the list's order), so its name and cover stay.
    const ids = people.map((p) => p.id).filter((pid) => selected.includes(pid));
    const [into, ...others] = ids;
    merge.disabled = true;
    try {
      const person = await api.mergePeople(into, others);
      toast(`Merged ${ids.length} people${person.name ? ` into ${person.name}` : ''}.`);
    } catch (error) {
      toast(`These people could not be merged. ${describe(error)}`);
    }
    await reload();
  };
  const shown = people.filter((p) => state.showHidden || !p.hidden);
  const frames = [];
  const items = [];
  for (const person of shown) {
    const { item, frame } = card(person, { toast, reload, onSelect });
    items.push(item);
    if (person.cover_face_url) frames.push([frame, person.cover_face_url]);
  }
  list.replaceChildren(...items);
  const hiddenCount = people.length - people.filter((p) => !p.hidden).length;
  root.querySelector('#people-hidden-count').textContent = hiddenCount ? `(${hiddenCount})` : '';
  const empty = root.querySelector('.people-empty');
  empty.hidden = shown.length > 0;
  empty.textContent = people.length
    ? 'Everyone here is hidden: tick "Show hidden" to see them.'
    : 'No people yet: faces are found as photos arrive.';
  await loadFaces(frames);
}

export async function showPeople(root, { toast } = { toast: () => {} }) {
  root.replaceChildren();
  const head = el('div', 'page-head');
  const tools = el('div', 'people-tools');
  const toggle = el('label', 'people-show-hidden');
  const box = el('input');
  box.type = 'checkbox';
  box.id = 'people-show-hidden';
  box.checked = state.showHidden;
  toggle.append(box, ' Show hidden ', el('span', 'muted', ''));
  toggle.lastChild.id = 'people-hidden-count';
  const merge = button('Merge', 'primary');
  merge.id = 'people-merge';
  merge.disabled = true;
  merge.title = 'Select two or more people to make them one';
  // For photos from before people were on, and to regroup now rather than at the next
  // automatic re-cluster (both are durable jobs or quick calls on the server).
  const action = (label, id, title, run, failed) => {
    const control = button(label);
    control.id = id;
    control.title = title;
    control.onclick = async () => {
      control.disabled = true;
      try {
        toast(await run());
      } catch (error) {
        toast(`${failed} ${describe(error)}`);
      }
      control.disabled = false;
    };
    return control;
  };
  const find = action(
    'Look in every photo',
    'people-find',
    'Find faces in photos that were never looked at (older photos, or before people were on)',
    async () => {
      const { queued } = await api.findPeople();
      return queued
        ? `Looking for faces in ${queued} photo(s); people appear as they are found.`
        : 'Every photo has been looked at already.';
    },
    'Photos could not be queued.',
  );
  const regroup = action(
    'Regroup',
    'people-regroup',
    'Group the faces into people again now (names, hides and merges are kept)',
    async () => {
      const { moved } = await api.regroupPeople();
      await render(root, list, { toast });
      return moved ? `Regrouped: ${moved} face(s) moved.` : 'Regrouped: nothing to change.';
    },
    'Faces could not be regrouped.',
  );
  tools.append(toggle, find, regroup, merge);
  head.append(el('h1', 'view-title', 'People'), tools);
  const list = el('ul', 'cards people');
  const empty = el('p', 'empty people-empty');
  empty.hidden = true;
  root.append(head, list, empty);
  box.addEventListener('change', () => {
    state.showHidden = box.checked;
    render(root, list, { toast });
  });
  await render(root, list, { toast });
}

// The title above a person's photos: their name (or "Someone" before they have one).
export async function showPersonTitle(personId, stillShown) {
  let people;
  try {
    people = await api.people();
  } catch {
    return;
  }
  const person = people.find((p) => p.id === personId);
  if (!person || !stillShown()) return;
  document.getElementById('view-title').textContent = person.name || 'Someone';
}

// The viewer's info: the people in a photo (GET /photos/{id} faces), each linking to them.
export async function photoPeople(photoId) {
  const photo = await api.photo(photoId);
  const named = (photo.faces || []).filter((f) => f.person_id);
  const seen = new Set();
  const links = [];
  for (const face of named) {
    if (seen.has(face.person_id)) continue;
    seen.add(face.person_id);
    const link = el('a', 'face-person', face.name || 'Someone');
    link.href = `#person/${encodeURIComponent(face.person_id)}`;
    link.dataset.personId = face.person_id;
    links.push(link);
  }
  return links;
}
