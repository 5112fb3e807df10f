// The pending list on the phone: SQLite (expo-sqlite), opened once.
import * as SQLite from 'expo-sqlite';

import type { UploadQueue } from '../backup/queue';
import { SqliteQueue } from '../backup/sqliteQueue';

let opened: Promise<UploadQueue> | null = null;

export function openQueue(): Promise<UploadQueue> {
  opened ??= SQLite.openDatabaseAsync('auroravault-queue.db').then((db) => SqliteQueue.open(db));
  return opened;
}
