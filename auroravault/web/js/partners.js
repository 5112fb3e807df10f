// Partner sharing (#partners): share my whole library (minus what I archive or trash) with
// someone of my family, stop sharing; the libraries shared with me, each with its "Show in my
// timeline" switch. With any switch on, the Photos view merges them (views.js, with_partners).

import { api, session } from './api.js';
import { describe } from './messages.js';
import { timelineState } from './views.js';
import { el, button } from './dom.js';

// Whether a partner's library is in the timeline: read at sign-in and after each switch.
export async function loadPartnerState() {
  try {
    const partners = await api.partners({ passive: true });
    timelineState.partners = partners.shared_with_me.some((p) => p.in_timeline);
  } catch {
    timelineState.partners = false;
  }
}

// People one may share with: the other members of my family (partners are among one family).
async function candidates(selfId) {
  const family = await api.familyOrNull();
  const people = ((family && family.members) || []).map((m) => m.user).filter((u) => u && u.id !== selfId);
  return people;
}

export async function showPartners(root, { toast }) {
  const self = (session.get() || {}).user || {};
  root.replaceChildren();
  const head = el('div', 'page-head');
  head.append(el('h1', 'view-title', 'Partners'));
  root.append(head);
  let partners;
  try {
    partners = await api.partners();
  } catch (error) {
    root.append(el('p', 'empty', `Partners could not be loaded. ${describe(error)}`));
    return;
  }
  const again = () => showPartners(root, { toast });

  root.append(el('h2', '', 'Shared with me'));
  if (!partners.shared_with_me.length) root.append(el('p', 'muted', 'Nobody shares their library with you yet.'));
  const withMe = el('ul', 'partner-list');
  withMe.id = 'partners-with-me';
  for (const share of partners.shared_with_me) {
    const item = el('li');
    item.dataset.userId = share.user.id;
    const label = el('label');
    const box = el('input');
    box.type = 'checkbox';
    box.checked = share.in_timeline;
    box.addEventListener('change', async () => {
      try {
        await api.setPartnerTimeline(share.user.id, box.checked);
        await loadPartnerState();
        toast(box.checked ? `${share.user.display_name}’s photos are in your timeline.` : `${share.user.display_name}’s photos left your timeline.`);
      } catch (error) {
        box.checked = !box.checked;
        toast(`That did not work. ${describe(error)}`);
      }
    });
    label.append(box, document.createTextNode(' Show in my timeline'));
    const stop = button('Stop receiving', 'quiet');
    stop.addEventListener('click', async () => {
      await api.removePartner(share.user.id).catch((error) => toast(describe(error)));
      await loadPartnerState();
      again();
    });
    item.append(el('span', 'who', share.user.display_name), label, stop);
    withMe.append(item);
  }
  root.append(withMe);

  root.append(el('h2', '', 'I share my library with'));
  root.append(el('p', 'muted', 'They see all your photos, except what you archive or put in the trash.'));
  const byMe = el('ul', 'partner-list');
  byMe.id = 'partners-by-me';
  for (const share of partners.shared_by_me) {
    const item = el('li');
    item.dataset.userId = share.user.id;
    const stop = button('Stop sharing', 'danger');
    stop.addEventListener('click', async () => {
      try {
        await api.removePartner(share.user.id);
        toast(`You no longer share your library with ${share.user.display_name}.`);
      } catch (error) {
        toast(describe(error));
      }
      again();
    });
    item.append(el('span', 'who', share.user.display_name), stop);
    byMe.append(item);
  }
  root.append(byMe);

  const shared = new Set(partners.shared_by_me.map((s) => s.user.id));
  const people = (await candidates(self.id)).filter((p) => !shared.has(p.id));
  const form = el('div', 'partner-add');
  const select = el('select');
  select.id = 'partner-choice';
  select.setAttribute('aria-label', 'Share with');
  for (const person of people) {
    const option = el('option', '', person.display_name);
    option.value = person.id;
    select.append(option);
  }
  const add = button('Share my library', 'primary');
  add.id = 'partner-add';
  add.disabled = !people.length;
  if (!people.length) form.append(el('p', 'muted', 'Partners are people of your family: invite them on the Family page first.'));
  add.addEventListener('click', async () => {
    try {
      const made = await api.addPartner(select.value);
      toast(`You share your library with ${made.user.display_name}.`);
    } catch (error) {
      toast(`That did not work. ${describe(error)}`);
    }
    again();
  });
  form.append(select, add);
  if (!people.length) form.append(el('p', 'muted', 'Nobody of your family to share with yet.'));
  root.append(form);
}
