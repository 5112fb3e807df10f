// The album "Share" dialog (owner and admins): the people the album is shared with and their
// roles (change, remove), and adding someone, chosen among the family or by an account's email.
// Who may do what is the server's decision; the dialog shows its answers.

import { api } from './api.js';
import { describe } from './messages.js';
import { el } from './dom.js';

const $ = (id) => document.getElementById(id);
const ROLES = { viewer: 'Viewer', contributor: 'Contributor', admin: 'Admin' };

function roleSelect(value) {
  const select = el('select');
  for (const [role, label] of Object.entries(ROLES)) {
    const option = el('option', '', label);
    option.value = role;
    select.append(option);
  }
  select.value = value;
  return select;
}

// The family's other members ({id, display_name}) when the server has families, else [].
async function familyPeople(selfId) {
  const family = await api.familyOrNull();
  if (!family || !Array.isArray(family.members)) return [];
  return family.members.map((m) => m.user).filter((u) => u && u.id !== selfId);
}

export class ShareDialog {
  constructor({ toast, onChanged }) {
    this.toast = toast;
    this.onChanged = onChanged; // the album's members changed: refresh its header
    this.dialog = $('share-dialog');
    this.form = $('share-form');
    this.album = null;
    $('share-add').addEventListener('click', () => this.add());
    this.form.user_id.addEventListener('change', () => {
      $('share-email-label').hidden = Boolean(this.form.user_id.value);
    });
    this.form.email.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter') return;
      event.preventDefault();
      this.add();
    });
  }

  error(text) {
    const node = this.form.querySelector('.form-error');
    node.textContent = text;
    node.hidden = !text;
  }

  async open(album, selfId) {
    this.album = album;
    this.error('');
    $('share-title').textContent = `Share “${album.name}”`;
    this.form.email.value = '';
    this.dialog.showModal();
    const people = await familyPeople(selfId);
    const select = this.form.user_id;
    select.replaceChildren(el('option', '', 'By email…'));
    select.firstChild.value = '';
    for (const person of people) {
      if (person.id === album.owner.id) continue;
      const option = el('option', '', person.display_name);
      option.value = person.id;
      select.append(option);
    }
    $('share-email-label').hidden = false;
    await this.refresh();
  }

  async refresh() {
    const list = $('share-members');
    let members;
    try {
      members = (await api.albumMembers(this.album.id)).members;
    } catch (error) {
      list.replaceChildren(el('li', 'muted', `People could not be loaded. ${describe(error)}`));
      return;
    }
    list.replaceChildren();
    const owner = el('li');
    owner.append(el('span', 'who', `${this.album.owner.display_name}`), el('span', 'muted', 'Owner'));
    list.append(owner);
    for (const member of members) {
      const item = el('li');
      item.dataset.userId = member.user.id;
      const role = roleSelect(member.role);
      role.setAttribute('aria-label', `Role of ${member.user.display_name}`);
      role.addEventListener('change', () => this.setRole(member, role.value));
      const remove = el('button', 'quiet', 'Remove');
      remove.type = 'button';
      remove.addEventListener('click', () => this.remove(member));
      item.append(el('span', 'who', member.user.display_name), role, remove);
      list.append(item);
    }
  }

  async add() {
    const userId = this.form.user_id.value;
    const email = this.form.email.value.trim();
    if (!userId && !email) return this.error('Choose someone of your family, or type the email of their account.');
    this.error('');
    try {
      const added = await api.addMember(this.album.id, userId ? { user_id: userId } : { email }, this.form.role.value);
      this.form.email.value = '';
      this.toast(`Album shared with ${added.user.display_name}.`);
      await this.refresh();
      this.onChanged();
    } catch (error) {
      const known = {
        user_not_found: 'No account with that email (or of your family).',
        already_member: 'This person is in the album already.',
        invalid_member: 'The album’s owner is always in it.',
      };
      this.error(known[error.code] || describe(error));
    }
  }

  async setRole(member, role) {
    try {
      await api.setMemberRole(this.album.id, member.user.id, role);
      this.toast(`${member.user.display_name} is now ${ROLES[role].toLowerCase()}.`);
      this.onChanged();
    } catch (error) {
      this.error(describe(error));
      await this.refresh();
    }
  }

  async remove(member) {
    try {
      await api.removeMember(this.album.id, member.user.id);
      this.toast(`${member.user.display_name} no longer sees the album.`);
      await this.refresh();
      this.onChanged();
    } catch (error) {
      this.error(describe(error));
    }
  }
}
