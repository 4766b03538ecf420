import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { openDb } from '../../server/db/open.ts'
import type { Db } from '../../server/db/db.ts'
import { Sampler } from '../../server/generator/distributions.ts'
import { TEST_PG_URL, testDbKind } from '../../server/test/db.ts'
import { waitFor } from '../../server/test/platform.ts'
import { cleanUp, dirs, getOpt, inspect, startChild, stop } from '../../server/test/crash-harness.ts'
import type { Optimization } from '../../api/optimizations.ts'

// tags: integration slow — kill -9 at random moments of a rollout (steps and bakes), restart, and
// check the run ends completed or rolled_back with no orphan instance and each step's effect once.
// `npm run test:slow` runs 20 trials on each store (OPTIINFRA_CRASH_VOLUME=20); otherwise one trial
// on the suite's store.
const VOLUME = Number(process.env.OPTIINFRA_CRASH_VOLUME ?? 0)
const TRIALS = VOLUME || 1
const STORES: ('pglite' | 'pg')[] = VOLUME ? ['pglite', 'pg'] : [testDbKind]
afterAll(cleanUp)

interface Store { spec: string; open(): Promise<Db>; drop(): Promise<void> }

async function freshStore(kind: 'pglite' | 'pg', n: number): Promise<Store> {
  if (kind === 'pglite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'optiinfra-vol-'))
    dirs.push(dir)
    return { spec: `pglite:${dir}`, open: () => openDb({ kind: 'pglite', dataDir: dir }), drop: async () => undefined }
  }
  const schema = `vol_${process.pid}_${Date.now()}_${n}`
  const admin = new pg.Client({ connectionString: TEST_PG_URL })
  await admin.connect()
  await admin.query(`CREATE SCHEMA ${schema}`)
  await admin.end()
  return {
    spec: `pg:${schema}`, open: () => openDb({ kind: 'pg', url: TEST_PG_URL, schema }),
    drop: async () => {
      const c = new pg.Client({ connectionString: TEST_PG_URL })
      await c.connect()
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await c.end()
    },
  }
}

const finished = (o: Optimization) => ['completed', 'rolled_back', 'failed'].includes(o.status)

/** Wall time of one undisturbed rollout on this store: the window the kill moments are drawn from. */
async function calibrate(kind: 'pglite' | 'pg'): Promise<number> {
  const store = await freshStore(kind, 0)
  const c = await startChild(store.spec, 1)
  const t0 = performance.now()
  await waitFor(async () => finished(await getOpt(c.ready.url, c.ready.optimizationIds![0]!, c.ready.token!)), { timeoutMs: 180_000, intervalMs: 50, what: 'calibration rollout' })
  const ms = performance.now() - t0
  await stop(c.child, 'SIGTERM')
  await store.drop()
  return ms
}

/** One trial: kill -9 after `delayMs`, restart, finish; returns the problems found (none = clean). */
async function trial(kind: 'pglite' | 'pg', n: number, delayMs: number): Promise<{ killedAt: string; problems: string[] }> {
  const store = await freshStore(kind, n)
  const first = await startChild(store.spec, 1)
  const { customerId, token, optimizationIds } = first.ready
  const id = optimizationIds![0]!
  const t0 = performance.now()
  let killedAt = 'before the first step'
  while (performance.now() - t0 < delayMs) {
    const o = await getOpt(first.ready.url, id, token!)
    killedAt = o.current_step ?? o.status
    if (finished(o)) break
    await new Promise((r) => setTimeout(r, 25))
  }
  first.child.kill('SIGKILL')
  await new Promise((r) => first.child.once('exit', r))
  const second = await startChild(store.spec)
  const done = await waitFor(async () => { const o = await getOpt(second.ready.url, id, token!); return finished(o) ? o : null }, { timeoutMs: 180_000, what: 'the restarted process to finish' })
  await stop(second.child, 'SIGTERM')
  const db = await store.open()
  try {
    const f = await inspect(db, customerId!, id)
    const problems: string[] = []
    if (!['completed', 'rolled_back'].includes(done.status)) problems.push(`ended ${done.status}`)
    if (f.status !== done.status) problems.push(`store says ${f.status}, API ${done.status}`)
    if (f.alive.length !== 2 || !f.alive.every((i) => i.grp === 'stable')) problems.push(`${f.alive.length} instances alive (stable: ${f.alive.filter((i) => i.grp === 'stable').length}), expected 2 stable`)
    if (f.all.length > 4) problems.push(`${f.all.length} instances ever launched, expected at most 4`)
    for (const [step, count] of f.steps) if (count !== 1) problems.push(`${count} audit entries for ${step}`)
    if (new Set(f.changes.map((c) => c.change_id)).size !== f.changes.length) problems.push('a provider change applied twice')
    if (f.changes.filter((c) => c.method === 'launchInstances').length > 1) problems.push('instances launched twice')
    return { killedAt, problems }
  } finally {
    await db.close()
    await store.drop()
  }
}

describe('kill -9 at random moments of rollouts', () => {
  for (const kind of STORES) {
    it(`test_kill_9_at_random_moments_ends_clean_on_${kind} (${TRIALS} trial${TRIALS > 1 ? 's' : ''}) @slow`, async () => {
      const windowMs = await calibrate(kind)
      const rng = new Sampler(20261205)
      const results: { delay: number; killedAt: string; problems: string[] }[] = []
      for (let n = 1; n <= TRIALS; n++) {
        // within the first 90% of the rollout: a kill after the run finished would test nothing
        const delay = rng.uniform() * windowMs * 0.9
        results.push({ delay, ...(await trial(kind, n, delay)) })
      }
      const clean = results.filter((r) => r.problems.length === 0).length
      console.log(`[kill -9 volume] ${kind}: ${clean}/${TRIALS} clean over a ${(windowMs / 1000).toFixed(1)} s rollout; killed at ${results.map((r) => `${(r.delay / 1000).toFixed(1)} s (${r.killedAt})`).join(', ')}`)
      expect(results.filter((r) => r.problems.length).map((r) => `${r.killedAt}: ${r.problems.join('; ')}`)).toEqual([])
    }, 60_000 + TRIALS * 240_000)
  }
})
