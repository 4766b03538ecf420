/**
 * Table maintenance for the embedded store. PGlite runs PostgreSQL as one backend without a
 * postmaster, so no autovacuum worker ever runs: rows the telemetry retention deletes would stay as
 * dead tuples (the tables and the data folder grow without bound) and the planner would never
 * learn table sizes. `maintain` does autovacuum's job on autovacuum's default thresholds, read from
 * the same statistics autovacuum reads. PostgreSQL has its own autovacuum; there it does nothing.
 */
import type { Db } from './db.ts'

/** PostgreSQL's defaults: autovacuum_vacuum_threshold/scale_factor, autovacuum_analyze_threshold/scale_factor. */
export const AUTOVACUUM_DEFAULTS = { vacuumThreshold: 50, vacuumScale: 0.2, analyzeThreshold: 50, analyzeScale: 0.1 }

/** A table's counters as pg_stat_user_tables reports them. */
export interface TableStats { table: string; live: number; dead: number; modifiedSinceAnalyze: number }

/** What a table needs, by autovacuum's rule; pure. */
export function needs(t: TableStats, d = AUTOVACUUM_DEFAULTS): 'vacuum' | 'analyze' | null {
  if (t.dead > d.vacuumThreshold + d.vacuumScale * t.live) return 'vacuum'
  if (t.modifiedSinceAnalyze > d.analyzeThreshold + d.analyzeScale * t.live) return 'analyze'
  return null
}

/** Vacuums (with analyze) or analyzes each table that needs it; returns what it did. */
export async function maintain(db: Db): Promise<{ vacuumed: string[]; analyzed: string[] }> {
  const done = { vacuumed: [] as string[], analyzed: [] as string[] }
  if (db.kind !== 'pglite') return done
  const rows = await db.query<{ table: string; live: string | number; dead: string | number; mod: string | number }>(
    `SELECT relname AS table, n_live_tup AS live, n_dead_tup AS dead, n_mod_since_analyze AS mod
     FROM pg_stat_user_tables WHERE schemaname = current_schema() ORDER BY relname`)
  for (const r of rows) {
    const need = needs({ table: r.table, live: Number(r.live), dead: Number(r.dead), modifiedSinceAnalyze: Number(r.mod) })
    if (!need) continue
    // identifiers come from the catalog, quoted all the same
    const name = `"${r.table.replace(/"/g, '""')}"`
    await db.exec(need === 'vacuum' ? `VACUUM (ANALYZE) ${name}` : `ANALYZE ${name}`)
    ;(need === 'vacuum' ? done.vacuumed : done.analyzed).push(r.table)
  }
  return done
}
