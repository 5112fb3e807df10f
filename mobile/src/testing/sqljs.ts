// expo-sqlite's async calls on sql.js, a real SQLite compiled to WebAssembly, for jest.
import initSqlJs, { type Database } from 'sql.js';

import type { SqlDb, SqlValue } from '../backup/sqliteQueue';

export async function openSqlJs(bytes?: Uint8Array): Promise<{ db: SqlDb; raw: Database }> {
  const SQL = await initSqlJs();
  const raw = bytes ? new SQL.Database(bytes) : new SQL.Database();
  const db: SqlDb = {
    async execAsync(sql: string) {
      raw.exec(sql);
    },
    async runAsync(sql: string, params: SqlValue[]) {
      raw.run(sql, params);
    },
    async getAllAsync<T>(sql: string, params: SqlValue[]): Promise<T[]> {
      const stmt = raw.prepare(sql);
      try {
        stmt.bind(params);
        const rows: T[] = [];
        while (stmt.step()) rows.push(stmt.getAsObject() as T);
        return rows;
      } finally {
        stmt.free();
      }
    },
    async withTransactionAsync(task: () => Promise<void>) {
      raw.exec('BEGIN');
      try {
        await task();
        raw.exec('COMMIT');
      } catch (err) {
        raw.exec('ROLLBACK');
        throw err;
      }
    },
  };
  return { db, raw };
}
