import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A private directory in os.tmpdir() for one test file's SQLite databases, removed by `cleanup`. */
export interface TempSqliteDir {
  /** A fresh database file path in the directory. */
  file(name?: string): string;
  cleanup(): void;
}

/** Makes a temporary directory for SQLite files. */
export function makeTempSqliteDir(label: string): TempSqliteDir {
  const dir = mkdtempSync(join(tmpdir(), `ndl-${label}-`));
  let n = 0;
  return {
    file: (name = `db-${(n += 1)}`) => join(dir, `${name}.sqlite`),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
