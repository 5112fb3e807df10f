// The pending list in SQLite (expo-sqlite on the phone): holds a 20,000-photo library, survives
// kills and reboots. Written against the few async calls of expo-sqlite's SQLiteDatabase, so the
// same code runs in jest on sql.js (a real SQLite compiled to WebAssembly).
import {
  ACTIVE_STATES,
  type AssetRef,
  emptyCounts,
  type ItemPatch,
  type ItemState,
  type QueueItem,
  retryState,
  type StateCounts,
  type UploadQueue,
} from './queue';

export type SqlValue = string | number | null;

export interface SqlDb {
  execAsync(sql: string): Promise<void>;
  runAsync(sql: string, params: SqlValue[]): Promise<unknown>;
  getAllAsync<T>(sql: string, params: SqlValue[]): Promise<T[]>;
  withTransactionAsync(task: () => Promise<void>): Promise<void>;
}

const COLUMNS: Record<keyof QueueItem, string> = {
  assetId: 'asset_id',
  filename: 'filename',
  uri: 'uri',
  size: 'size',
  contentType: 'content_type',
  modifiedAt: 'modified_at',
  state: 'state',
  sha256: 'sha256',
  photoId: 'photo_id',
  uploadId: 'upload_id',
  batchId: 'batch_id',
  attempts: 'attempts',
  nextAttemptAt: 'next_attempt_at',
  refreshes: 'refreshes',
  code: 'code',
  reason: 'reason',
  updatedAt: 'updated_at',
};

const MIGRATIONS = [
  `CREATE TABLE IF NOT EXISTS upload_queue (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     asset_id TEXT NOT NULL UNIQUE,
     filename TEXT NOT NULL,
     uri TEXT NOT NULL,
     size INTEGER NOT NULL,
     content_type TEXT NOT NULL,
     modified_at INTEGER NOT NULL,
     state TEXT NOT NULL,
     sha256 TEXT,
     photo_id TEXT,
     upload_id TEXT,
     batch_id TEXT,
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER NOT NULL DEFAULT 0,
     refreshes INTEGER NOT NULL DEFAULT 0,
     code TEXT,
     reason TEXT,
     updated_at INTEGER NOT NULL
   );
   CREATE INDEX IF NOT EXISTS upload_queue_state ON upload_queue (state, next_attempt_at, seq);
   CREATE INDEX IF NOT EXISTS upload_queue_sha ON upload_queue (sha256);`,
];

type Row = Record<string, SqlValue>;

function fromRow(row: Row): QueueItem {
  const item: Record<string, SqlValue> = {};
  for (const [key, column] of Object.entries(COLUMNS)) item[key] = row[column] ?? null;
  return item as unknown as QueueItem;
}

const SELECT = `SELECT ${Object.values(COLUMNS).join(', ')} FROM upload_queue`;
const ACTIVE_LIST = ACTIVE_STATES.map((s) => `'${s}'`).join(', ');

export class SqliteQueue implements UploadQueue {
  private constructor(private readonly db: SqlDb) {}

  static async open(db: SqlDb): Promise<SqliteQueue> {
    await db.execAsync('PRAGMA journal_mode = WAL;');
    const rows = await db.getAllAsync<{ user_version: number }>('PRAGMA user_version', []);
    const version = rows[0]?.user_version ?? 0;
    for (let v = version; v < MIGRATIONS.length; v += 1) {
      await db.execAsync(MIGRATIONS[v]);
      await db.execAsync(`PRAGMA user_version = ${v + 1}`);
    }
    return new SqliteQueue(db);
  }

  async add(assets: AssetRef[], now: number): Promise<number> {
    let added = 0;
    await this.db.withTransactionAsync(async () => {
      for (const a of assets) {
        const before = await this.db.getAllAsync<{ n: number }>(
          'SELECT COUNT(*) AS n FROM upload_queue WHERE asset_id = ?',
          [a.assetId],
        );
        if ((before[0]?.n ?? 0) > 0) continue;
        await this.db.runAsync(
          `INSERT INTO upload_queue (asset_id, filename, uri, size, content_type, modified_at, state, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, 'new', ?)`,
          [a.assetId, a.filename, a.uri, a.size, a.contentType, a.modifiedAt, now],
        );
        added += 1;
      }
    });
    return added;
  }

  async get(assetId: string): Promise<QueueItem | null> {
    const rows = await this.db.getAllAsync<Row>(`${SELECT} WHERE asset_id = ?`, [assetId]);
    return rows[0] ? fromRow(rows[0]) : null;
  }

  async knownIds(assetIds: string[]): Promise<Set<string>> {
    const known = new Set<string>();
    for (let i = 0; i < assetIds.length; i += 500) {
      const chunk = assetIds.slice(i, i + 500);
      const marks = chunk.map(() => '?').join(', ');
      const rows = await this.db.getAllAsync<{ asset_id: string }>(
        `SELECT asset_id FROM upload_queue WHERE asset_id IN (${marks})`,
        chunk,
      );
      for (const row of rows) known.add(row.asset_id);
    }
    return known;
  }

  async update(assetId: string, patch: ItemPatch): Promise<void> {
    const keys = Object.keys(patch) as (keyof ItemPatch)[];
    if (keys.length === 0) return;
    const sets = keys.map((k) => `${COLUMNS[k]} = ?`).join(', ');
    const values = keys.map((k) => (patch[k] ?? null) as SqlValue);
    await this.db.runAsync(`UPDATE upload_queue SET ${sets} WHERE asset_id = ?`, [...values, assetId]);
  }

  async due(state: ItemState, now: number, limit: number): Promise<QueueItem[]> {
    const rows = await this.db.getAllAsync<Row>(
      `${SELECT} WHERE state = ? AND next_attempt_at <= ? ORDER BY seq LIMIT ?`,
      [state, now, limit],
    );
    return rows.map(fromRow);
  }

  async list(state: ItemState, limit: number): Promise<QueueItem[]> {
    const rows = await this.db.getAllAsync<Row>(`${SELECT} WHERE state = ? ORDER BY seq LIMIT ?`, [state, limit]);
    return rows.map(fromRow);
  }

  async findBySha(sha256: string, exceptAssetId: string): Promise<QueueItem | null> {
    const rows = await this.db.getAllAsync<Row>(
      `${SELECT} WHERE sha256 = ? AND asset_id <> ? AND state <> 'failed' ORDER BY seq LIMIT 1`,
      [sha256, exceptAssetId],
    );
    return rows[0] ? fromRow(rows[0]) : null;
  }

  async counts(): Promise<StateCounts> {
    const rows = await this.db.getAllAsync<{ state: ItemState; n: number }>(
      'SELECT state, COUNT(*) AS n FROM upload_queue GROUP BY state',
      [],
    );
    const counts = emptyCounts();
    for (const row of rows) counts[row.state] = row.n;
    return counts;
  }

  async nextDueAt(): Promise<number | null> {
    const rows = await this.db.getAllAsync<{ at: number | null }>(
      `SELECT MIN(next_attempt_at) AS at FROM upload_queue WHERE state IN (${ACTIVE_LIST})`,
      [],
    );
    return rows[0]?.at ?? null;
  }

  async retryFailed(now: number): Promise<number> {
    const failed = await this.db.getAllAsync<Row>(`${SELECT} WHERE state = 'failed'`, []);
    await this.db.withTransactionAsync(async () => {
      for (const row of failed) {
        const item = fromRow(row);
        await this.update(item.assetId, {
          state: retryState(item),
          attempts: 0,
          refreshes: 0,
          nextAttemptAt: 0,
          code: null,
          reason: null,
          updatedAt: now,
        });
      }
    });
    return failed.length;
  }

  async clear(): Promise<void> {
    await this.db.execAsync('DELETE FROM upload_queue');
  }
}
