import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../db/db.ts'
import { freshDb, testDbKind } from '../test/db.ts'
import { simFixture, SMALL_FLEET } from '../cloud/simulator/testing.ts'
import { MIN_SETTLED_MS } from '../orchestrator/settle.ts'
import { upsertOnboarding } from './store.ts'
import { infrastructureOf } from './discover.ts'

let db: Db
let drop: () => Promise<void>
beforeAll(async () => { ({ db, drop } = await freshDb()) }, 60_000)
afterAll(async () => { await db?.close(); await drop?.() })

async function optimizationRun(customerId: string, status: string, startedAt: Date, completedAt: Date | null) {
  await db.query(
    `INSERT INTO workflow_runs (kind, customer_id, status, phase, context, created_by, created_at, started_at, completed_at, updated_at, next_run_at)
     VALUES ('optimization', $1, $2, 'steps', '{"deployment_id":"chat-8b"}', 'test', $3, $3, $4, $3, $3)`, [customerId, status, startedAt, completedAt])
}

describe(`the infrastructure view says which deployments the agents leave alone, on ${testDbKind}`, () => {
  it('shows a deployment as settling while its change runs and until enough telemetry after it exists', async () => {
    const f = await simFixture(db, SMALL_FLEET)
    await upsertOnboarding(db, { customer_id: f.customerId, cloud_provider: 'aws', region: 'us-east-1', iam_role_arn: null, project_id: null, source: 'registered', status: 'discovered' }, f.clock.now())
    const settling = async () => (await infrastructureOf({ db, clock: f.clock, cloud: f.sim }, f.customerId)).vllm_deployments.find((d) => d.deployment_id === 'chat-8b')!.settling
    expect(await settling()).toBeNull()

    const started = f.clock.now()
    await optimizationRun(f.customerId, 'running', started, null)
    expect(await settling()).toMatchObject({ until: null, reason: 'a change is being rolled out' })

    f.clock.advance(10 * 60_000)
    const ended = f.clock.now()
    await db.query(`UPDATE workflow_runs SET status = 'completed', completed_at = $2 WHERE customer_id = $1`, [f.customerId, ended])
    f.clock.advance(60_000)
    expect(await settling()).toMatchObject({ since: ended.toISOString(), until: new Date(ended.getTime() + MIN_SETTLED_MS).toISOString() })
    f.clock.advance(MIN_SETTLED_MS)
    expect(await settling()).toBeNull()
  })
})
