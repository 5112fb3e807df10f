import { useEffect, useState } from 'react';
import { ScrollView, Switch, Text, View } from 'react-native';

import type { QueueItem } from '../backup/queue';
import { deviceMedia } from '../platform/media';
import { openQueue } from '../platform/queueStore';
import type { DeviceAlbum } from '../platform/types';
import { useApp } from '../state/AppContext';
import { Button } from '../ui/Button';
import { colors, ui } from '../ui/theme';
import { problemText } from './SignInScreen';

const STATE_TEXT: Record<string, string> = {
  idle: 'Up to date',
  running: 'Backing up…',
  waiting: 'Waiting to retry',
  paused: 'Paused',
  blocked: 'Waiting',
  signed_out: 'Signed out',
};

export function BackupScreen() {
  const app = useApp();
  const { settings, progress } = app;
  const [albums, setAlbums] = useState<DeviceAlbum[]>([]);
  const [pending, setPending] = useState<QueueItem[]>([]);
  const [failed, setFailed] = useState<QueueItem[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [limited, setLimited] = useState(false);

  useEffect(() => {
    if (deviceMedia.kind !== 'library') return;
    void (async () => {
      const access = await deviceMedia.requestAccess();
      if (access === 'none') {
        setMessage('AuroraVault may not read your photos: allow it in the system settings.');
        return;
      }
      setLimited(access === 'limited');
      setAlbums(await deviceMedia.albums());
    })().catch((err) => setMessage(problemText(err)));
  }, []);

  useEffect(() => {
    void (async () => {
      const q = await openQueue();
      setFailed(await q.list('failed', 100));
      const waiting: QueueItem[] = [];
      for (const s of ['sent', 'ready', 'hashed', 'new'] as const) waiting.push(...(await q.list(s, 50)));
      setPending(waiting.slice(0, 50));
    })();
  }, [progress]);

  const counts = progress?.counts;
  const total = counts ? Object.values(counts).reduce((a, b) => a + b, 0) : 0;
  const left = counts ? counts.new + counts.hashed + counts.ready + counts.sent : 0;
  const running = progress?.state === 'running' || progress?.state === 'waiting';

  async function start() {
    setMessage(null);
    try {
      await app.startBackup();
    } catch (err) {
      setMessage(problemText(err));
    }
  }

  async function pick() {
    const n = (await deviceMedia.pick?.()) ?? 0;
    if (n > 0) await start();
  }

  function toggleAlbum(id: string, on: boolean) {
    const all = albums.map((a) => a.id);
    const current = settings.albums ?? all;
    const next = on ? [...new Set([...current, id])] : current.filter((a) => a !== id);
    void app.updateSettings({ albums: next.length === all.length ? null : next });
  }

  return (
    <ScrollView style={ui.screen} contentContainerStyle={ui.pad} testID="backup">
      <Text style={ui.title}>Backup</Text>
      <Text style={ui.text} testID="backup-state">
        {progress ? STATE_TEXT[progress.state] : 'Not started'}
        {progress?.reason && progress.state !== 'idle' ? ` — ${progress.reason}` : ''}
      </Text>
      {counts ? (
        <Text style={ui.dim} testID="backup-counts">
          {`${counts.done} backed up, ${left} to go, ${counts.skipped} skipped, ${counts.failed} failed (of ${total})`}
        </Text>
      ) : null}
      {progress?.current ? (
        <Text style={ui.dim}>{`${progress.current.filename}: ${Math.round((100 * progress.current.sent) / Math.max(1, progress.current.total))}%`}</Text>
      ) : null}
      {message ? <Text style={ui.error}>{message}</Text> : null}

      {limited ? (
        <View style={{ gap: 6 }}>
          <Text style={ui.dim} testID="limited-access">
            You let AuroraVault see only some of your photos: only those are backed up.
          </Text>
          <Button ghost testID="choose-more" title="Choose more photos" onPress={() => void deviceMedia.chooseMore?.()} />
        </View>
      ) : null}
      {deviceMedia.kind === 'picker' ? (
        <Button testID="pick" title="Choose photos" onPress={pick} />
      ) : (
        <View style={{ gap: 6 }}>
          <Text style={ui.text}>Albums to back up</Text>
          {albums.map((a) => (
            <View key={a.id} style={ui.row}>
              <Text style={ui.text}>{a.title}</Text>
              <Switch testID={`album-${a.id}`} value={settings.albums === null || settings.albums.includes(a.id)} onValueChange={(on) => toggleAlbum(a.id, on)} />
            </View>
          ))}
        </View>
      )}
      <View style={ui.row}>
        <Text style={ui.text}>Only on Wi-Fi</Text>
        <Switch testID="wifi-only" value={settings.wifiOnly} onValueChange={(v) => void app.updateSettings({ wifiOnly: v })} />
      </View>
      <View style={ui.row}>
        {running ? (
          <Button testID="pause" title="Pause" onPress={app.pauseBackup} />
        ) : (
          <Button testID="start" title={progress?.state === 'paused' ? 'Resume' : 'Back up now'} onPress={start} />
        )}
        {failed.length ? <Button ghost testID="retry-failed" title="Retry failed" onPress={() => void app.retryFailed()} /> : null}
      </View>

      {failed.length ? <Text style={[ui.text, { marginTop: 8 }]}>Failed</Text> : null}
      {failed.map((i) => (
        <Text key={i.assetId} style={{ color: colors.danger }} testID="failed-item">
          {`${i.filename}: ${i.reason ?? ''} (${i.code ?? 'error'})`}
        </Text>
      ))}
      {pending.length ? <Text style={[ui.text, { marginTop: 8 }]}>Pending</Text> : null}
      {pending.map((i) => (
        <Text key={i.assetId} style={ui.dim}>
          {`${i.filename}: ${i.reason ?? i.state}`}
        </Text>
      ))}
    </ScrollView>
  );
}
