/**
 * Issue 10 item 6, through the HTTP API: a fleet registered by a customer, spot interruptions
 * injected by the simulator's admin fault routes, the reconciler service keeping capacity.
 *
 * Fleet time is a manual clock the test advances, so "within the interruption notice" is measured
 * exactly: the platform runs without its other workers (they would move a manual clock) and the
 * test starts the reconciler service itself, the same service the platform starts with workers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { manualClock, type ManualClock } from '../../server/clock.ts'
import { healthCheck } from '../../server/cli/health-check.ts'
import { reconcilerService } from '../../server/reconciler/service.ts'
import { createServices, type Service } from '../../server/services.ts'
import { startTestPlatform, waitFor, type TestPlatform } from '../../server/test/platform.ts'

const NOTICE_MS = 120_000 // AWS spot interruption notice
const BOOTED_MS = 180_000 // longer than any simulated launch delay
const MODEL = 'meta-llama/Meta-Llama-3-8B-Instruct'
const spot = (id: string) => ({ instance_id: id, instance_type: 'g5.xlarge', region: 'us-east-1', pricing: 'spot', cloud: 'aws' })
const fleet = {
  instances: ['a-1', 'a-2', 'a-3', 'b-1', 'b-2'].map(spot),
  vllm_deployments: [
    { deployment_id: 'chat-a', model: MODEL, instance_ids: ['a-1', 'a-2', 'a-3'], requests_per_second: 2, latency_critical: true },
    { deployment_id: 'batch-b', model: MODEL, instance_ids: ['b-1', 'b-2'], requests_per_second: 1 },
  ],
}

let p: TestPlatform
let clock: ManualClock
let reconciler: Service
let customerId: string
let token: string

beforeAll(async () => {
  clock = manualClock(new Date('2026-03-02T09:00:00Z'))
  p = await startTestPlatform({ clock, workers: false, env: { OPTIINFRA_RECONCILER_INTERVAL_MS: '50', OPTIINFRA_RECONCILER_ONDEMAND_FLOOR: '1' } })
  ;({ customerId, token } = await p.newCustomer('Reconcile Inc'))
  reconciler = reconcilerService(p.deps)
}, 60_000)
afterAll(async () => { await reconciler?.stop(); await p?.stop() })

type Inst = { instance_id: string; pricing: string; state: string; deployment_id: string | null; group: string | null; interruption_at: string | null }
type Action = { id: string; deployment_id: string; kind: string; status: string; reason: string; result: Record<string, unknown> | null }

async function infra(): Promise<{ instances: Inst[]; vllm_deployments: { deployment_id: string; instance_ids: string[] }[] }> {
  return (await p.http('GET', `/customers/${customerId}/infrastructure`, { token })).body
}
/** The stable group's instances of a deployment, as the customer sees them. */
async function stable(deploymentId: string): Promise<Inst[]> {
  const f = await infra()
  const ids = new Set(f.vllm_deployments.find((d) => d.deployment_id === deploymentId)!.instance_ids)
  return f.instances.filter((i) => ids.has(i.instance_id))
}
async function actions(deploymentId: string): Promise<Action[]> {
  return ((await p.http<Action[]>('GET', `/customers/${customerId}/reconciler/actions`, { token })).body).filter((a) => a.deployment_id === deploymentId)
}
const launchedBy = (done: Action[]) => done.flatMap((a) => a.result!.launched as string[])
async function fault(body: Record<string, unknown>) {
  const r = await p.http('POST', '/admin/simulator/faults', { token: p.adminToken, body: { customer_id: customerId, ...body } })
  expect(r.status, JSON.stringify(r.body)).toBe(201)
  return r.body as { detail: { interrupted_instance_ids?: string[] } }
}

describe('e2e: the reconciler keeps a registered fleet alive', () => {
  it('keeps an on-demand floor, replaces interrupted spot capacity within the notice, audits each replacement, and reports a dead deployment @p0', async () => {
    // with workers the platform starts this same service itself
    expect(createServices(p.deps).services.map((s) => s.name)).toContain(reconciler.name)
    expect((await p.http('POST', `/customers/${customerId}/infrastructure`, { token, body: fleet })).status).toBe(201)
    // batch-b cannot launch anything: its floor fails, so it stays all-spot and dies with its spot capacity
    await fault({ deployment_id: 'batch-b', target: 'all', kind: 'launch_failure' })
    await reconciler.start()

    // the on-demand floor: one on-demand instance joins chat-a, then one spot instance retires
    await waitFor(async () => (await actions('chat-a')).some((a) => a.kind === 'floor' && a.status === 'done'), { what: 'floor launched' })
    expect((await actions('batch-b')).some((a) => a.kind === 'floor' && a.status === 'failed')).toBe(true)
    clock.advance(BOOTED_MS)
    await waitFor(async () => (await actions('chat-a')).some((a) => a.kind === 'retire' && a.status === 'done'), { what: 'spot surplus retired' })
    const before = await stable('chat-a')
    expect(before.map((i) => [i.pricing, i.state]).sort()).toEqual([['on-demand', 'running'], ['spot', 'running'], ['spot', 'running']])

    // every spot instance of the customer gets its notice
    const interrupted = (await fault({ target: 'all', kind: 'spot_interruption' })).detail.interrupted_instance_ids!
    const spotOfA = before.filter((i) => i.pricing === 'spot').map((i) => i.instance_id)
    expect(interrupted).toEqual(expect.arrayContaining([...spotOfA, 'b-1', 'b-2']))
    const noticeAt = clock.now().getTime()
    // notices reach the reconciler one instance at a time, so one pass or several may replace them
    const replaces = await waitFor(async () => {
      const done = (await actions('chat-a')).filter((a) => a.kind === 'replace' && a.status === 'done')
      return launchedBy(done).length >= spotOfA.length ? done : undefined
    }, { what: 'replacements' })
    expect(launchedBy(replaces)).toHaveLength(spotOfA.length)
    for (const replace of replaces) {
      expect(replace.reason).toMatch(/interruption notice/)
      expect(replace.result!.pool).toMatchObject({ pricing: 'spot', instanceType: expect.not.stringMatching(/^g5\.xlarge$/) }) // another spot pool
    }

    // through the notice the on-demand floor keeps serving: chat-a is never down
    clock.advance(NOTICE_MS - 1000)
    const during = await stable('chat-a')
    expect(during.some((i) => i.pricing === 'on-demand' && i.state === 'running' && i.interruption_at === null)).toBe(true)
    expect((await p.http<any[]>('GET', `/customers/${customerId}/incidents`, { token })).body.filter((i) => i.deployment_id === 'chat-a')).toEqual([])

    // at the end of the notice the reclaimed instances are gone and the intended count serves again
    clock.advance(1000)
    expect(clock.now().getTime() - noticeAt).toBe(NOTICE_MS)
    const after = await stable('chat-a')
    expect(after.filter((i) => i.state === 'running')).toHaveLength(3)
    expect(after.map((i) => i.instance_id)).not.toEqual(expect.arrayContaining(spotOfA))
    expect(after.filter((i) => i.pricing === 'on-demand')).toHaveLength(1)

    // the audit shows each replacement, with its reason
    const audit = (await p.http<any[]>('GET', `/customers/${customerId}/audit?subject_id=chat-a`, { token })).body
    const replaced = audit.filter((e) => e.action === 'reconciler:replace').flatMap((e) => e.detail.launched as string[])
    expect(replaced.sort()).toEqual(launchedBy(replaces).sort())
    for (const e of audit.filter((a) => a.action === 'reconciler:replace')) expect(e.detail.reason).toMatch(/[12] instance\(s\) under interruption notice/)

    // batch-b had no floor and could not be replaced: an incident, on the dashboard and in health-check
    const incident = await waitFor(async () => (await p.http<any>('GET', `/portal/customers/${customerId}/dashboard`, { token })).body.incidents?.find((i: any) => i.deployment_id === 'batch-b'), { what: 'incident on the dashboard' })
    expect(incident).toMatchObject({ kind: 'down', reason: expect.stringMatching(/no instance of batch-b is serving/) })
    const dashboard = (await p.http<any>('GET', `/portal/customers/${customerId}/dashboard`, { token })).body
    expect(dashboard.slo.deployments.find((d: any) => d.deployment_id === 'batch-b').compliant).toBe(false)
    expect(dashboard.slo.compliant).toBe(false)
    expect(audit.some((e) => e.action === 'incident:opened')).toBe(false) // chat-a never went down
    const printed: string[] = []
    expect(await healthCheck(p.url, (s) => printed.push(s))).toBe(1)
    expect(printed.join('\n')).toMatch(/deployment batch-b\s+✗ down/)
    expect(printed.join('\n')).toMatch(/1 customer deployment\(s\) down: batch-b/)
  })
})
