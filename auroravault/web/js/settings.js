// Account settings (#settings): the user's name, the two sharing-notification switches, the
// password (changing it ends every other session), the sessions with a way to end each one;
// and for admins the server's accounts: quota, disable or enable, make or unmake an admin.

import { api, session } from './api.js';
import { formatBytes, formatDate } from './format.js';
import { describe } from './messages.js';
import { el, button } from './dom.js';

const $ = (id) => document.getElementById(id);
const GB = 1e9; // quotas are shown and typed in decimal gigabytes, as the CLI's --quota 10GB

function section(title, id) {
  const node = el('section', 'settings-section');
  node.id = id;
  node.setAttribute('aria-labelledby', `${id}-title`);
  const heading = el('h2', 'settings-title', title);
  heading.id = `${id}-title`;
  node.append(heading);
  return node;
}

function field(label, input) {
  const node = el('label', 'settings-field', label);
  node.append(input);
  return node;
}

function input(name, type = 'text', attrs = {}) {
  const node = document.createElement('input');
  node.name = name;
  node.type = type;
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  return node;
}

function formError(form) {
  const node = el('p', 'form-error');
  node.setAttribute('role', 'alert');
  node.hidden = true;
  form.append(node);
  return (message) => {
    node.textContent = message || '';
    node.hidden = !message;
  };
}

// The user in the top bar and in the stored session, after a change.
function remember(user) {
  const current = session.get();
  if (current) session.set({ ...current, user: { ...current.user, ...user } });
  $('user-name').textContent = user.display_name;
}

export async function showSettings(root, { toast }) {
  root.replaceChildren();
  const head = el('div', 'page-head');
  head.append(el('h1', 'view-title', 'Settings'));
  root.append(head);
  let user;
  try {
    user = await api.me();
  } catch (error) {
    root.append(el('p', 'empty', `Your settings could not be loaded. ${describe(error)}`));
    return;
  }
  root.append(profileSection(user, toast), notificationsSection(user, toast));
  const sessions = sessionsSection(toast);
  root.append(passwordSection(toast, () => sessions.reload()), sessions.node);
  await sessions.reload();
  if (user.is_admin) {
    const users = usersSection(user, toast);
    root.append(users.node);
    await users.reload();
  }
}

function profileSection(user, toast) {
  const node = section('Your name', 'settings-profile');
  const form = el('form', 'settings-form');
  form.id = 'profile-form';
  form.noValidate = true;
  const name = input('display_name', 'text', { maxlength: '100', autocomplete: 'name', required: '' });
  name.value = user.display_name;
  const save = el('button', 'primary', 'Save name');
  save.type = 'submit';
  form.append(field('Display name', name), save);
  const showError = formError(form);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showError('');
    try {
      const updated = await api.updateMe({ display_name: name.value });
      name.value = updated.display_name;
      remember(updated);
      toast('Name saved.');
    } catch (error) {
      showError(describe(error));
    }
  });
  node.append(form);
  return node;
}

function notificationsSection(user, toast) {
  const node = section('Emails', 'settings-notifications');
  const switches = [
    ['notify_album_shared', 'When someone shares an album with me'],
    ['notify_album_photos', 'New photos in albums shared with me (at most one email an hour per album)'],
  ];
  for (const [key, label] of switches) {
    const box = input(key, 'checkbox');
    box.id = key.replaceAll('_', '-');
    box.checked = Boolean(user[key]);
    box.addEventListener('change', async () => {
      box.disabled = true;
      try {
        const updated = await api.updateMe({ [key]: box.checked });
        box.checked = Boolean(updated[key]);
        toast(box.checked ? 'You will get these emails.' : 'No more of these emails.');
      } catch (error) {
        box.checked = !box.checked;
        toast(`The setting could not be saved. ${describe(error)}`);
      } finally {
        box.disabled = false;
      }
    });
    const row = el('label', 'settings-switch');
    row.append(box, el('span', '', label));
    node.append(row);
  }
  return node;
}

function passwordSection(toast, onChanged) {
  const node = section('Password', 'settings-password');
  const form = el('form', 'settings-form');
  form.id = 'password-form';
  form.noValidate = true;
  const current = input('current_password', 'password', { autocomplete: 'current-password', required: '' });
  const next = input('new_password', 'password', { autocomplete: 'new-password', required: '' });
  const save = el('button', 'primary', 'Change password');
  save.type = 'submit';
  form.append(field('Current password', current), field('New password', next), save);
  node.append(form, el('p', 'muted', 'Changing it logs you out everywhere else.'));
  const showError = formError(form);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showError('');
    save.disabled = true;
    try {
      await api.changePassword(current.value, next.value);
      form.reset();
      toast('Password changed. Your other sessions have ended.');
      await onChanged();
    } catch (error) {
      showError(error.code === 'invalid_credentials' ? 'The current password is wrong.' : describe(error));
    } finally {
      save.disabled = false;
    }
  });
  return node;
}

// "Firefox on Linux" from a user agent, else the agent itself (shortened).
const BROWSERS = [[/Edg\//, 'Edge'], [/Firefox\//, 'Firefox'], [/Chrome\//, 'Chrome'], [/Safari\//, 'Safari']];
const SYSTEMS = [[/Android/, 'Android'], [/iPhone|iPad/, 'iOS'], [/Windows/, 'Windows'], [/Mac OS X/, 'macOS'], [/Linux/, 'Linux']];

function deviceName(agent) {
  if (!agent) return 'Unknown device';
  const browser = BROWSERS.find(([pattern]) => pattern.test(agent));
  const system = SYSTEMS.find(([pattern]) => pattern.test(agent));
  if (browser) return system ? `${browser[1]} on ${system[1]}` : browser[1];
  return agent.length > 60 ? `${agent.slice(0, 60)}…` : agent;
}

function sessionsSection(toast) {
  const node = section('Where you are logged in', 'settings-sessions');
  const list = el('ul', 'settings-list');
  list.id = 'sessions-list';
  node.append(list);
  const reload = async () => {
    let items;
    try {
      ({ items } = await api.sessions());
    } catch (error) {
      list.replaceChildren(el('li', 'muted', `Sessions could not be loaded. ${describe(error)}`));
      return;
    }
    list.replaceChildren(...items.map((s) => sessionRow(s, toast)));
  };
  return { node, reload };
}

function sessionRow(s, toast) {
  const row = el('li', 'settings-row');
  row.dataset.sessionId = s.id;
  if (s.current) row.dataset.current = 'true';
  const text = el('span', 'settings-row-text');
  text.append(el('strong', '', deviceName(s.user_agent)));
  const facts = [s.ip, `since ${formatDate(s.created_at)}`].filter(Boolean).join(' · ');
  text.append(el('span', 'muted', facts));
  row.append(text);
  if (s.current) {
    row.append(el('span', 'badge', 'This device'));
    return row;
  }
  const end = button('Log out', 'danger');
  end.setAttribute('aria-label', `Log out ${deviceName(s.user_agent)}`);
  end.addEventListener('click', async () => {
    end.disabled = true;
    try {
      await api.revokeSession(s.id);
      row.remove();
      toast('That session has ended.');
    } catch (error) {
      end.disabled = false;
      toast(`The session could not be ended. ${describe(error)}`);
    }
  });
  row.append(end);
  return row;
}

function usersSection(me, toast) {
  const node = section('Accounts on this server', 'settings-users');
  const list = el('ul', 'settings-list');
  list.id = 'users-list';
  node.append(list);
  const reload = async () => {
    const users = [];
    try {
      let cursor = null;
      do {
        const page = await api.adminUsers({ cursor });
        users.push(...page.items);
        cursor = page.next_cursor;
      } while (cursor);
    } catch (error) {
      list.replaceChildren(el('li', 'muted', `Accounts could not be loaded. ${describe(error)}`));
      return;
    }
    list.replaceChildren(...users.map((u) => userRow(u, me, toast)));
  };
  return { node, reload };
}

function userRow(initial, me, toast) {
  const row = el('li', 'settings-row user-row');
  row.dataset.userId = initial.id;
  let user = initial;
  const text = el('span', 'settings-row-text');
  const title = el('strong');
  const facts = el('span', 'muted');
  text.append(title, facts);
  const quota = input('quota_gb', 'number', { min: '0', step: '0.1', inputmode: 'decimal' });
  quota.setAttribute('aria-label', `Quota of ${initial.email} in GB`);
  const quotaForm = el('form', 'quota-form');
  const save = el('button', '', 'Set quota');
  save.type = 'submit';
  quotaForm.append(field('Quota (GB)', quota), save);
  const disable = button('', 'danger');
  disable.dataset.action = 'disable';
  const admin = button('');
  admin.dataset.action = 'admin';
  const show = () => {
    row.dataset.disabled = String(user.disabled);
    row.dataset.admin = String(user.is_admin);
    title.textContent = `${user.display_name} · ${user.email}`;
    const used = formatBytes(user.used_bytes) || '0 bytes';
    const badges = [user.is_admin ? 'admin' : '', user.disabled ? 'disabled' : ''].filter(Boolean);
    facts.textContent = [`${used} of ${formatBytes(user.quota_bytes) || '0 bytes'}`, ...badges].join(' · ');
    quota.value = String(Math.round((user.quota_bytes / GB) * 10) / 10);
    disable.textContent = user.disabled ? 'Enable' : 'Disable';
    disable.className = user.disabled ? '' : 'danger';
    admin.textContent = user.is_admin ? 'Remove admin' : 'Make admin';
  };
  const change = async (changes, done) => {
    try {
      user = await api.adminEditUser(user.id, changes);
      show();
      toast(done);
    } catch (error) {
      toast(`${user.email} was not changed. ${describe(error)}`);
    }
  };
  quotaForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const gb = Number(quota.value);
    if (quota.value === '' || !Number.isFinite(gb) || gb < 0) {
      toast('Type a quota in GB, 0 or more.');
      return;
    }
    change({ quota_bytes: Math.round(gb * GB) }, `Quota of ${user.email} set to ${formatBytes(Math.round(gb * GB)) || '0 bytes'}.`);
  });
  disable.addEventListener('click', () =>
    change({ disabled: !user.disabled }, user.disabled ? `${user.email} can log in again.` : `${user.email} is disabled and logged out.`),
  );
  admin.addEventListener('click', () =>
    change({ is_admin: !user.is_admin }, user.is_admin ? `${user.email} is no longer an admin.` : `${user.email} is now an admin.`),
  );
  const actions = el('span', 'settings-actions');
  actions.append(quotaForm, disable, admin);
  row.append(text, actions);
  if (user.id === me.id) row.dataset.me = 'true';
  show();
  return row;
}
