import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import type { Db } from './db.ts'

/** The migrations folder at the repo root: numbered, forward-only plain SQL files. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url))

/** A migration file: `0003_agents.sql` → version 3. */
export interface Migration { version: number; name: string; sql: string }

/** Reads `NNNN_name.sql` files in version order; a gap or a duplicate number is a broken build. */
export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort()
  const migrations = await Promise.all(files.map(async (file) => ({
    version: Number(file.slice(0, 4)),
    name: file.replace(/\.sql$/, ''),
    sql: await readFile(path.join(dir, file), 'utf8'),
  })))
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration numbering broken at ${m.name}: expected ${i + 1}`)
  })
  return migrations
}

/**
 * Applies every migration not yet recorded, each in its own transaction with its version row.
 * On PostgreSQL an advisory lock makes concurrent replicas starting at once apply each file once.
 */
export async function migrate(db: Db, migrations?: Migration[]): Promise<string[]> {
  const all = migrations ?? (await loadMigrations())
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`)
  return db.tx(async (tx) => {
    if (tx.kind === 'pg') await tx.query('SELECT pg_advisory_xact_lock(7264001)')
    const done = new Set((await tx.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version))
    const applied: string[] = []
    for (const m of all.filter((x) => !done.has(x.version))) {
      await tx.exec(m.sql)
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name])
      applied.push(m.name)
    }
    return applied
  })
}
