// The family page (#family): found a family; its members with their roles, usage and quotas;
// for the owner, invitations by email (pending ones, revoke), quotas per member and for the
// whole family, removing members; for a member, leaving. And the page an invitation's link
// opens (#/join/<token>): "Join" for a logged-in user (a logged-out one gets the register form,
// main.js). Everything goes through the public contract (DESIGN "Families and sharing").

import { confirm } from './actions.js';
import { api, session } from './api.js';
import { formatBytes, formatDate } from './format.js';
import { describe } from './messages.js';
import { el, button } from './dom.js';

const GB = 1e9;

// "1.2 GB of 5 GB", or "1.2 GB" without a cap.
function usage(used, quota) {
  const shown = formatBytes(used) || '0 bytes';
  return quota == null ? shown : `${shown} of ${formatBytes(quota)}`;
}

// A quota field in GB: empty means none. Returns {value} (bytes or null), or null when unreadable.
function quotaField(label, bytes) {
  const wrap = el('label', 'family-quota');
  wrap.append(el('span', '', label));
  const input = el('input');
  input.type = 'number';
  input.min = '0';
  input.step = 'any';
  input.inputMode = 'decimal';
  input.placeholder = 'none';
  input.value = bytes == null ? '' : String(+(bytes / GB).toFixed(3));
  wrap.append(input, el('span', 'muted', 'GB'));
  const read = () => {
    const text = input.value.trim();
    if (!text) return { value: null };
    const n = Number(text);
    return Number.isFinite(n) && n >= 0 ? { value: Math.round(n * GB) } : null;
  };
  return { wrap, input, read };
}

export async function showFamily(root, { toast }) {
  root.replaceChildren(el('p', 'muted', 'Loading…'));
  let family;
  try {
    family = await api.family();
  } catch (error) {
    if (error.code === 'family_not_found') return showFounding(root, { toast });
    root.replaceChildren(el('p', 'empty', `Your family could not be loaded. ${describe(error)}`));
    return;
  }
  const me = session.get()?.user?.id;
  const owner = family.role === 'owner';
  const reload = () => showFamily(root, { toast });
  const act = async (what, run) => {
    try {
      await run();
      await reload();
    } catch (error) {
      toast(`${what} failed. ${describe(error)}`);
    }
  };

  const head = el('div', 'page-head');
  const title = el('h1', 'view-title', family.name);
  title.id = 'family-name';
  head.append(title);
  if (owner) {
    const rename = button('Rename', '', () => {
      const name = window.prompt('The family’s name', family.name);
      if (name && name.trim() && name.trim() !== family.name) act('Renaming', () => api.editFamily({ name: name.trim() }));
    });
    rename.id = 'family-rename';
    head.append(rename);
  }
  const facts = el('p', 'family-facts muted');
  facts.id = 'family-usage';
  const n = family.members.length;
  facts.textContent = `${n} ${n === 1 ? 'member' : 'members'} · ${usage(family.used_bytes, family.quota_bytes)} used together`;
  root.replaceChildren(head, facts);

  if (owner) {
    const pool = quotaField('Family storage limit', family.quota_bytes);
    pool.input.id = 'family-quota';
    const save = button('Save', '', () => {
      const read = pool.read();
      if (!read) return toast('Enter a number of GB, or leave it empty for no limit.');
      act('Saving the limit', () => api.editFamily({ quota_bytes: read.value }));
    });
    const row = el('div', 'family-row');
    row.append(pool.wrap, save);
    root.append(row);
  }

  root.append(el('h2', 'family-section', 'Members'));
  const list = el('ul', 'family-list');
  list.id = 'family-members';
  for (const member of family.members) {
    const item = el('li', 'family-member');
    item.dataset.userId = member.user.id;
    const who = el('div', 'family-who');
    who.append(
      el('strong', '', member.user.display_name + (member.user.id === me ? ' (you)' : '')),
      el('span', 'muted', member.user.email),
    );
    const role = el('span', 'family-role', member.role === 'owner' ? 'Owner' : 'Member');
    const used = el('span', 'family-used muted', usage(member.used_bytes, member.quota_bytes));
    item.append(who, role, used);
    if (owner && member.role !== 'owner') {
      const quota = quotaField('Limit', member.quota_bytes);
      quota.input.setAttribute('aria-label', `Storage limit of ${member.user.display_name} in GB`);
      const set = button('Set', '', () => {
        const read = quota.read();
        if (!read) return toast('Enter a number of GB, or leave it empty for their own quota.');
        act('Setting the limit', () => api.editFamilyMember(member.user.id, { quota_bytes: read.value }));
      });
      const remove = button('Remove', 'danger', async () => {
        const text = `${member.user.display_name} leaves the family. Their account and photos stay theirs.`;
        if (await confirm('Remove from the family?', text, 'Remove')) {
          act('Removing', () => api.removeFamilyMember(member.user.id));
        }
      });
      remove.setAttribute('aria-label', `Remove ${member.user.display_name}`);
      item.append(quota.wrap, set, remove);
    } else if (!owner && member.user.id === me) {
      item.append(
        button('Leave family', 'danger', async () => {
          if (await confirm('Leave the family?', 'Your account and photos stay yours.', 'Leave')) {
            act('Leaving', () => api.removeFamilyMember(me));
          }
        }),
      );
    }
    list.append(item);
  }
  root.append(list);

  if (!owner) return;
  root.append(el('h2', 'family-section', 'Invite someone'));
  const form = el('form', 'family-invite');
  form.id = 'family-invite';
  form.noValidate = true;
  const label = el('label', 'family-email');
  label.append(el('span', '', 'Email'));
  const email = el('input');
  email.type = 'email';
  email.name = 'email';
  email.autocomplete = 'email';
  email.required = true;
  label.append(email);
  const send = el('button', 'primary', 'Send invitation');
  send.type = 'submit';
  form.append(label, send);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!email.value.trim()) return toast('Enter the email to invite.');
    act('Inviting', async () => {
      await api.inviteToFamily(email.value.trim());
      toast(`Invitation sent to ${email.value.trim()}.`);
    });
  });
  root.append(form);

  const pending = el('ul', 'family-list');
  pending.id = 'family-invites';
  for (const invite of family.invites) {
    const item = el('li', 'family-member');
    item.dataset.inviteId = invite.id;
    const who = el('div', 'family-who');
    who.append(el('strong', '', invite.email), el('span', 'muted', `Invited, until ${formatDate(invite.expires_at, false)}`));
    const revoke = button('Revoke', '', () => act('Revoking', () => api.revokeFamilyInvite(invite.id)));
    revoke.setAttribute('aria-label', `Revoke the invitation of ${invite.email}`);
    item.append(who, revoke);
    pending.append(item);
  }
  if (family.invites.length) root.append(el('h3', 'family-section', 'Pending invitations'), pending);

  if (family.members.length === 1) {
    root.append(
      button('Delete family', 'danger family-delete', async () => {
        if (await confirm('Delete the family?', 'Your account and photos stay yours.', 'Delete')) {
          act('Deleting', () => api.deleteFamily());
        }
      }),
    );
  }
}

function showFounding(root, { toast }) {
  const head = el('div', 'page-head');
  head.append(el('h1', 'view-title', 'Family'));
  const text = el(
    'p',
    'muted',
    'Found a family to invite the people you share photos with. An invitation link sent by email lets them join.',
  );
  const form = el('form', 'family-invite');
  form.id = 'family-create';
  const label = el('label', 'family-email');
  label.append(el('span', '', 'Family name'));
  const name = el('input');
  name.name = 'name';
  name.maxLength = 100;
  name.required = true;
  label.append(name);
  const create = el('button', 'primary', 'Create family');
  create.type = 'submit';
  form.append(label, create);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!name.value.trim()) return toast('Give the family a name.');
    try {
      await api.createFamily(name.value.trim());
      await showFamily(root, { toast });
    } catch (error) {
      toast(`The family could not be created. ${describe(error)}`);
    }
  });
  root.replaceChildren(head, text, form);
}

// "Ada invited you to join the family “Lovelace”." (a refused link rejects with its problem).
export async function invitationText(token) {
  const invitation = await api.familyInvitation(token);
  return `${invitation.inviter_name || 'Someone'} invited you to join the family “${invitation.family_name}”.`;
}

// #/join/<token>, logged in: one button. The token works once: it leaves the address after use.
export function showJoin(root, token, { toast }) {
  const head = el('div', 'page-head');
  head.append(el('h1', 'view-title', 'Join a family'));
  const text = el('p', '', 'You were invited to join a family on this server.');
  text.id = 'family-invitation';
  invitationText(token).then(
    (words) => {
      text.textContent = words;
    },
    (error) => {
      text.textContent = describe(error);
    },
  );
  const join = button('Join', 'primary', async () => {
    join.disabled = true;
    try {
      await api.joinFamily(token);
      window.location.hash = '#family';
    } catch (error) {
      join.disabled = false;
      const problem = el('p', 'form-error', describe(error));
      problem.setAttribute('role', 'alert');
      root.querySelector('.form-error')?.remove();
      root.append(problem);
    }
  });
  join.id = 'family-join';
  root.replaceChildren(head, text, join);
  join.focus();
  if (!token) toast('This link holds no invitation.');
}
