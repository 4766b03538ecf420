import { describe, expect, it } from 'vitest'
import type { BillLine, FleetInstance } from '../cloud/provider.ts'
import { IDLE_GRACE_MS, idleInstances, isIdle } from './idle.ts'
import { idleFindings } from '../agents/cost/idle.ts'
import type { AgentContext } from '../agents/agent.ts'

const at = new Date('2026-03-02T12:00:00Z')
const ago = (ms: number) => new Date(at.getTime() - ms).toISOString()

function instance(id: string, over: Partial<FleetInstance> = {}): FleetInstance {
  return {
    id, customerId: 'c', cloud: 'aws', region: 'us-east-1', instanceType: 'g5.xlarge', gpuType: 'A10G', gpuCount: 1, pricing: 'on-demand',
    state: 'running', deploymentId: null, group: null, launchedAt: ago(2 * 3_600_000), terminatedAt: null, hourlyUsd: 1.006, interruptionAt: null, ...over,
  }
}

/** One hour of bill up to `at` at a given hourly price. */
const line = (i: FleetInstance, hourly: number): BillLine => ({
  instanceId: i.id, instanceType: i.instanceType, pricing: i.pricing, deploymentId: i.deploymentId, from: ago(3_600_000), to: at.toISOString(), hours: 1, costUsd: hourly,
})

describe('idle capacity', () => {
  it('counts an instance serving no deployment once it has run past the grace period, priced from the bill', () => {
    const spare = instance('spare')
    const big = instance('big', { instanceType: 'g6e.12xlarge', hourlyUsd: 10.49 })
    const serving = instance('serving', { deploymentId: 'chat', group: 'stable' })
    const fresh = instance('fresh', { launchedAt: ago(IDLE_GRACE_MS - 1) })
    const gone = instance('gone', { state: 'terminated', terminatedAt: ago(60_000) })
    const idle = idleInstances([spare, big, serving, fresh, gone], [line(spare, 1.006), line(big, 10.49), line(serving, 1.006)], at)
    expect(idle.map((x) => x.instance.id)).toEqual(['big', 'spare'])
    expect(idle[0]!.monthlyUsd).toBeCloseTo(10.49 * 730, 6)
    expect(idle[1]!.idleForMs).toBe(2 * 3_600_000)
    expect(isIdle(fresh, new Date(at.getTime() + 1))).toBe(true)
  })

  it('prices an instance the bill has not seen yet at its current price', () => {
    const [x] = idleInstances([instance('new-to-bill', { hourlyUsd: 2 })], [], at)
    expect(x!.monthlyUsd).toBeCloseTo(2 * 730, 6)
  })

  it('is a cost-agent finding with the money it wastes, a warning above $500 a month', () => {
    const ctx = { now: at.toISOString(), fleet: { instances: [instance('spare'), instance('tiny', { hourlyUsd: 0.5 }), instance('serving', { deploymentId: 'chat' })], deployments: [] } } as unknown as AgentContext
    const f = idleFindings(ctx)
    expect(f.map((x) => [x.kind, x.deploymentId, x.severity, x.data.instance_id])).toEqual([['idle_capacity', null, 'warning', 'spare'], ['idle_capacity', null, 'info', 'tiny']])
    expect(f[0]!.data.monthly_usd).toBeCloseTo(734.38, 2)
    expect(f[0]!.summary).toMatch(/serves no deployment: \$734\.38\/month/)
  })
})
