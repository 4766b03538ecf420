import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestPlatform, type TestPlatform } from '../../server/test/platform.ts'
import { seedInfrastructure } from '../support/fixtures.ts'
import { runFuzz } from './fuzz/run.ts'
import type { FuzzContext } from './fuzz/arbitraries.ts'

// tags: security — property-based fuzzing of every operation in the OpenAPI document.
// A bounded, seeded run here; `npm run test:fuzz` runs OPTIINFRA_FUZZ_RUNS (10,000) requests.
const RUNS = Number(process.env.OPTIINFRA_FUZZ_RUNS ?? 1500)
const SEED = Number(process.env.OPTIINFRA_FUZZ_SEED ?? 20261205)

let p: TestPlatform
let ctx: FuzzContext
beforeAll(async () => {
  // no background workers: every change to the store comes from the fuzzed request itself
  p = await startTestPlatform({ workers: false })
  const c = await p.newCustomer('Fuzz Corp')
  await p.http('POST', `/customers/${c.customerId}/infrastructure`, { token: c.token, body: seedInfrastructure })
  const runtime = (await p.http('GET', `/customers/${c.customerId}/agent-install-command`, { token: c.token })).body.agent_token as string
  const agent = (await p.http('POST', '/orchestrator/agent-tokens', { token: p.adminToken, body: { label: 'fuzz' } })).body.token as string
  ctx = {
    knownIds: [c.customerId, 'vllm-prod-1', 'i-123456'],
    tokens: { none: null, invalid: 'not.a.jwt', fakeRuntime: 'oir_forged', customer: c.token, admin: p.adminToken, runtime, agent },
  }
}, 120_000)
afterAll(async () => { await p?.stop() })

describe('security: fuzzing every operation', () => {
  it(`test_fuzzed_requests_never_5xx_always_answer_the_error_shape_and_write_nothing_when_refused (${RUNS} requests)`, async () => {
    const s = await runFuzz(p.url, p.deps.db, ctx, { runs: RUNS, seed: SEED })
    console.log(`[fuzz] ${s.requests} requests, seed ${SEED}, ${s.operationsCovered}/${s.operations} operations, server errors ${s.serverErrors.length}, bad 4xx shapes ${s.badShapes.length}, writes behind a refusal ${s.partialWrites.length}; by status ${JSON.stringify(s.byStatus)}`)
    expect(s.serverErrors).toEqual([])
    expect(s.badShapes).toEqual([])
    expect(s.partialWrites).toEqual([])
    expect(s.requests).toBe(RUNS)
    // enough requests reach every operation (a bounded run may miss a few of ~70 by chance)
    expect(s.operationsCovered).toBeGreaterThanOrEqual(Math.min(s.operations, Math.floor(RUNS / 30)))
  }, 600_000)
})
