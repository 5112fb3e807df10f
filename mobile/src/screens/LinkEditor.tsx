// Edit one share link: a new expiry in days (empty: never), a new password or none, and its
// options (download, upload into the album, photo details). Only what changed goes to the server.
import { useState } from 'react';
import { Switch, Text, TextInput, View } from 'react-native';

import type { LinkEdit, ShareLink } from '../api/types';
import { Button } from '../ui/Button';
import { colors, ui } from '../ui/theme';
import { expiryFrom } from './expiry';

type Password = 'keep' | 'set' | 'clear';

/** The PATCH body for what the form changed; `days` null means the expiry was not touched. */
export function linkEdit(link: ShareLink, form: { days: string | null; password: Password; newPassword: string; download: boolean; upload: boolean; metadata: boolean }, now: number = Date.now()): LinkEdit {
  const edit: LinkEdit = {};
  if (form.days !== null) edit.expires_at = expiryFrom(form.days, now) ?? null;
  if (form.password === 'set' && form.newPassword) edit.password = form.newPassword;
  if (form.password === 'clear') edit.password = null;
  if (form.download !== link.allow_download) edit.allow_download = form.download;
  if (form.upload !== (link.allow_upload ?? false)) edit.allow_upload = form.upload;
  if (form.metadata !== (link.show_metadata ?? true)) edit.show_metadata = form.metadata;
  return edit;
}

function Toggle({ label, value, onChange, testID }: { label: string; value: boolean; onChange: (v: boolean) => void; testID: string }) {
  return (
    <View style={ui.row}>
      <Text style={ui.text}>{label}</Text>
      <Switch testID={testID} value={value} onValueChange={onChange} />
    </View>
  );
}

export function LinkEditor({ link, onSave, onCancel }: { link: ShareLink; onSave: (edit: LinkEdit) => void; onCancel: () => void }) {
  const [days, setDays] = useState<string | null>(null);
  const [password, setPassword] = useState<Password>('keep');
  const [newPassword, setNewPassword] = useState('');
  const [download, setDownload] = useState(link.allow_download);
  const [upload, setUpload] = useState(link.allow_upload ?? false);
  const [metadata, setMetadata] = useState(link.show_metadata ?? true);
  const id = link.id;
  return (
    <View testID={`link-editor-${id}`} style={{ gap: 6, paddingVertical: 4 }}>
      <TextInput
        testID={`link-edit-days-${id}`}
        value={days ?? ''}
        onChangeText={setDays}
        placeholder="new expiry in days (empty: never; untouched: as it is)"
        placeholderTextColor={colors.dim}
        keyboardType="number-pad"
        style={ui.input}
      />
      <TextInput
        testID={`link-edit-password-${id}`}
        value={newPassword}
        onChangeText={(v) => {
          setNewPassword(v);
          setPassword(v ? 'set' : 'keep');
        }}
        placeholder={link.has_password ? 'new password (empty: keep it)' : 'password (empty: none)'}
        placeholderTextColor={colors.dim}
        secureTextEntry
        style={ui.input}
      />
      {link.has_password ? (
        <Button
          ghost={password !== 'clear'}
          testID={`link-edit-clear-password-${id}`}
          title={password === 'clear' ? 'Password will be removed' : 'Remove the password'}
          onPress={() => {
            setNewPassword('');
            setPassword(password === 'clear' ? 'keep' : 'clear');
          }}
        />
      ) : null}
      <Toggle testID={`link-edit-download-${id}`} label="Allow download" value={download} onChange={setDownload} />
      <Toggle testID={`link-edit-upload-${id}`} label="Allow upload into the album" value={upload} onChange={setUpload} />
      <Toggle testID={`link-edit-metadata-${id}`} label="Show details (camera, place)" value={metadata} onChange={setMetadata} />
      <View style={{ flexDirection: 'row', gap: 4 }}>
        <Button testID={`link-edit-save-${id}`} title="Save" onPress={() => onSave(linkEdit(link, { days, password, newPassword, download, upload, metadata }))} />
        <Button ghost testID={`link-edit-cancel-${id}`} title="Cancel" onPress={onCancel} />
      </View>
    </View>
  );
}
