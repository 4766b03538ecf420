import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { openDb } from '../db/open.ts'
import type { Db } from '../db/db.ts'
import { TEST_PG_URL, testDbKind } from '../test/db.ts'
import { waitFor } from '../test/platform.ts'
import type { Optimization } from '../../api/optimizations.ts'
import { cleanUp, dirs, getOpt, inspect, startChild, stop } from '../test/crash-harness.ts'

/** Tests that need several processes on one database server (pg-boss' itPostgresOnly). */
const itPostgresOnly = testDbKind === 'pg' ? it : it.skip
afterAll(cleanUp)

async function killDuringValidate50(store: string, openStore: () => Promise<Db>) {
  const first = await startChild(store, 1)
  const { customerId, token, optimizationIds } = first.ready
  const id = optimizationIds![0]!
  // kill -9 in the middle of the 50% bake: after at least one measured interval
  await waitFor(async () => {
    const o = await getOpt(first.ready.url, id, token!)
    const bake = o.execution_steps.find((s) => s.name === 'validate_50_percent')!
    return o.current_step === 'validate_50_percent' && Number(bake.detail.intervals ?? 0) >= 1
  }, { timeoutMs: 60_000, intervalMs: 20, what: 'validate_50_percent to be baking' })
  first.child.kill('SIGKILL')
  await new Promise((r) => first.child.once('exit', r))
  const second = await startChild(store)
  const done = await waitFor(async () => {
    const o = await getOpt(second.ready.url, id, token!)
    return ['completed', 'rolled_back', 'failed'].includes(o.status) ? o : null
  }, { timeoutMs: 90_000, what: 'the restarted process to finish the optimization' })
  await stop(second.child, 'SIGTERM')
  const db = await openStore()
  try {
    return { done, facts: await inspect(db, customerId!, id) }
  } finally { await db.close() }
}

function expectNoOrphansAndOnce(done: Optimization, facts: Awaited<ReturnType<typeof inspect>>) {
  console.log(`after kill -9: ${done.status}; workers ${facts.workers.join(', ')}; steps ${[...facts.steps.keys()].join(', ')}`)
  expect(['completed', 'rolled_back']).toContain(done.status)
  expect(facts.status).toBe(done.status)
  // every instance still running serves the deployment's stable group: nothing orphaned
  expect(facts.alive.length).toBe(2)
  expect(facts.alive.every((i) => i.grp === 'stable')).toBe(true)
  // 2 original + 2 spot launched once (a retried launch step reused its changeId)
  expect(facts.all.length).toBe(4)
  for (const [step, n] of facts.steps) expect(n, `audit entries for ${step}`).toBe(1)
  if (done.status === 'completed') expect(facts.steps.size).toBe(7)
  expect(new Set(facts.changes.map((c) => c.change_id)).size).toBe(facts.changes.length)
  expect(facts.changes.filter((c) => c.method === 'launchInstances').length).toBe(1)
  expect(facts.workers.length).toBe(2)
}

describe('kill -9 during a rollout', () => {
  it('a restarted process over the same embedded store finishes the run; no orphans, each side effect once', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'optiinfra-pglite-'))
    dirs.push(dir)
    const { done, facts } = await killDuringValidate50(`pglite:${dir}`, () => openDb({ kind: 'pglite', dataDir: dir }))
    expectNoOrphansAndOnce(done, facts)
  }, 240_000)

  itPostgresOnly('the same on PostgreSQL: the lease of the dead process expires and another claims the run', async () => {
    const schema = `crash_${process.pid}_${Date.now()}`
    const admin = new pg.Client({ connectionString: TEST_PG_URL })
    await admin.connect()
    await admin.query(`CREATE SCHEMA ${schema}`)
    try {
      const { done, facts } = await killDuringValidate50(`pg:${schema}`, () => openDb({ kind: 'pg', url: TEST_PG_URL, schema }))
      expectNoOrphansAndOnce(done, facts)
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await admin.end()
    }
  }, 240_000)

  itPostgresOnly('two processes on one PostgreSQL share five optimizations and never run the same step twice', async () => {
    const schema = `multi_${process.pid}_${Date.now()}`
    const admin = new pg.Client({ connectionString: TEST_PG_URL })
    await admin.connect()
    await admin.query(`CREATE SCHEMA ${schema}`)
    try {
      const a = await startChild(`pg:${schema}`)
      const b = await startChild(`pg:${schema}`, 5)
      const { token, optimizationIds, customerId } = b.ready
      const finished = await waitFor(async () => {
        const all = await Promise.all(optimizationIds!.map((id) => getOpt(a.ready.url, id, token!)))
        return all.every((o) => o.status === 'completed') ? all : null
      }, { timeoutMs: 120_000, what: 'five optimizations on two processes' })
      expect(finished.length).toBe(5)
      await Promise.all([stop(a.child, 'SIGTERM'), stop(b.child, 'SIGTERM')])
      const db = await openDb({ kind: 'pg', url: TEST_PG_URL, schema })
      try {
        const perStep = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM workflow_events WHERE reason = 'step_completed' AND run_id = ANY($1::uuid[]) GROUP BY run_id, step`, [optimizationIds])
        expect(perStep.length).toBe(35)
        expect(perStep.every((r) => r.n === 1)).toBe(true)
        const workers = await db.query<{ worker: string }>('SELECT DISTINCT worker FROM workflow_events WHERE run_id = ANY($1::uuid[]) AND worker IS NOT NULL', [optimizationIds])
        expect(workers.length).toBe(2)
        const alive = await db.query('SELECT 1 FROM sim_instances WHERE customer_id = $1 AND terminated_at IS NULL', [customerId])
        expect(alive.length).toBe(10)
      } finally { await db.close() }
      expect(a.output() + b.output()).not.toMatch(/lost the run to another worker/)
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await admin.end()
    }
  }, 240_000)
})
