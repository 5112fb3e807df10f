// Manual mock: expo-sqlite on sql.js, a real SQLite in WebAssembly. One database per name.
import type { SqlDb } from '../src/backup/sqliteQueue';
import { openSqlJs } from '../src/testing/sqljs';

export const databases = new Map<string, SqlDb>();

export async function openDatabaseAsync(name: string): Promise<SqlDb> {
  let db = databases.get(name);
  if (!db) {
    db = (await openSqlJs()).db;
    databases.set(name, db);
  }
  return db;
}
