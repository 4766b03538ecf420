/**
 * The contract every CloudProvider must pass (simulator today; AWS/GCP adapters later): every
 * method's semantics, idempotency by changeId, canary weight bounds, promote/abort, and a bill
 * that is non-negative, consistent with the price list and stops at termination.
 */
import { describe, expect, it } from 'vitest'
import type { CloudProvider, FleetDeployment, FleetInstance, PoolSpec, ProviderResult } from './provider.ts'

/** A provider under test with one customer that owns one deployment whose stable group is running. */
export interface ContractFixture {
  provider: CloudProvider
  customerId: string
  deploymentId: string
  /** An on-demand pool of the deployment's instance type that can be launched for it. */
  pool: PoolSpec
  /** Lets provider time pass (a manual clock for the simulator, real waiting for a cloud). */
  advance(ms: number): Promise<void>
  now(): Date
}

const HOUR = 3_600_000
const BOOTED = 180_000 // longer than any launch delay the contract tolerates

function value<T>(r: ProviderResult<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`)
  return r.value
}

function errorCode<T>(r: ProviderResult<T>): string {
  return r.ok ? 'ok' : r.error.code
}

async function deploymentOf(f: ContractFixture): Promise<FleetDeployment> {
  const d = (await f.provider.listResources(f.customerId)).deployments.find((x) => x.id === f.deploymentId)
  if (!d) throw new Error('fixture deployment missing')
  return d
}

async function launchRunning(f: ContractFixture, changeId: string): Promise<FleetInstance[]> {
  const launched = value(await f.provider.launchInstances({ changeId, customerId: f.customerId, deploymentId: f.deploymentId, pool: f.pool }))
  await f.advance(BOOTED)
  return launched
}

/** Registers the contract suite for a provider; `make` builds a fresh fixture per test. */
export function describeProviderContract(name: string, make: () => Promise<ContractFixture>): void {
  describe(`CloudProvider contract: ${name}`, () => {
    it('lists the fixture deployment with a running stable group, no canary and protocol endpoints', async () => {
      const f = await make()
      const { instances, deployments } = await f.provider.listResources(f.customerId)
      const d = deployments.find((x) => x.id === f.deploymentId)!
      expect(d.canary).toBeNull()
      expect(d.stable.instanceIds.length).toBeGreaterThan(0)
      for (const id of d.stable.instanceIds) expect(instances.find((i) => i.id === id)).toMatchObject({ state: 'running', group: 'stable', deploymentId: d.id, customerId: f.customerId })
      expect(d.endpoints.vllmMetrics.stable).toMatch(/metrics$/)
      expect(d.endpoints.dcgmMetrics.map((e) => e.instanceId).sort()).toEqual([...d.stable.instanceIds].sort())
    })

    it('quotes prices: spot and commitments cheaper than on-demand', async () => {
      const f = await make()
      const quotes = await f.provider.getPrices(f.pool.cloud, f.pool.region)
      const q = quotes.find((x) => x.instanceType === f.pool.instanceType)!
      expect(q.onDemandHourlyUsd).toBeGreaterThan(0)
      for (const x of quotes) {
        if (x.spotHourlyUsd !== undefined) expect(x.spotHourlyUsd).toBeLessThan(x.onDemandHourlyUsd)
        if (x.reserved1yHourlyUsd !== undefined) expect(x.reserved1yHourlyUsd).toBeLessThan(x.onDemandHourlyUsd)
        if (x.reserved3yHourlyUsd !== undefined && x.reserved1yHourlyUsd !== undefined) expect(x.reserved3yHourlyUsd).toBeLessThanOrEqual(x.reserved1yHourlyUsd)
      }
    })

    it('launches pending instances that run later; the same changeId launches nothing more', async () => {
      const f = await make()
      const before = (await f.provider.listResources(f.customerId)).instances.length
      const req = { changeId: 'launch-1', customerId: f.customerId, deploymentId: f.deploymentId, pool: f.pool }
      const first = value(await f.provider.launchInstances(req))
      expect(first).toHaveLength(f.pool.count)
      for (const i of first) expect(i).toMatchObject({ state: 'pending', group: null, deploymentId: f.deploymentId, instanceType: f.pool.instanceType, pricing: f.pool.pricing })
      const again = value(await f.provider.launchInstances(req))
      expect(again.map((i) => i.id)).toEqual(first.map((i) => i.id))
      await f.advance(BOOTED)
      const after = (await f.provider.listResources(f.customerId)).instances
      expect(after).toHaveLength(before + f.pool.count)
      for (const i of first) expect(after.find((x) => x.id === i.id)?.state).toBe('running')
    })

    it('refuses bad launches with typed errors and no effect', async () => {
      const f = await make()
      const before = (await f.provider.listResources(f.customerId)).instances.length
      const base = { customerId: f.customerId, deploymentId: f.deploymentId }
      expect(errorCode(await f.provider.launchInstances({ ...base, changeId: 'bad-1', pool: { ...f.pool, instanceType: 'no-such.type' } }))).toBe('invalid')
      expect(errorCode(await f.provider.launchInstances({ ...base, changeId: 'bad-2', pool: { ...f.pool, count: 0 } }))).toBe('invalid')
      expect(errorCode(await f.provider.launchInstances({ ...base, changeId: 'bad-3', deploymentId: 'no-such-deployment', pool: f.pool }))).toBe('not_found')
      expect((await f.provider.listResources(f.customerId)).instances).toHaveLength(before)
    })

    it('refuses a changeId reused for another operation', async () => {
      const f = await make()
      await launchRunning(f, 'shared-id')
      const r = await f.provider.abortCanary({ changeId: 'shared-id', customerId: f.customerId, deploymentId: f.deploymentId })
      expect(errorCode(r)).toBe('invalid')
    })

    it('terminates idempotently; unknown ids refuse the whole call', async () => {
      const f = await make()
      const [a, b] = await launchRunning(f, 'launch-t')
      const term = { changeId: 'term-1', customerId: f.customerId, instanceIds: [a!.id] }
      expect(value(await f.provider.terminateInstances(term)).terminated).toEqual([a!.id])
      expect(value(await f.provider.terminateInstances(term)).terminated).toEqual([a!.id])
      expect(value(await f.provider.terminateInstances({ ...term, changeId: 'term-2' })).terminated).toEqual([a!.id])
      const unknown = await f.provider.terminateInstances({ changeId: 'term-3', customerId: f.customerId, instanceIds: [b!.id, 'i-does-not-exist'] })
      expect(errorCode(unknown)).toBe('not_found')
      const states = new Map((await f.provider.listResources(f.customerId)).instances.map((i) => [i.id, i.state]))
      expect([states.get(a!.id), states.get(b!.id)]).toEqual(['terminated', 'running'])
    })

    it('adds launched instances to the stable group idempotently; refuses unknown, terminated and canary instances', async () => {
      const f = await make()
      const before = await deploymentOf(f)
      const [a, b] = await launchRunning(f, 'launch-s')
      const req = (changeId: string, instanceIds: string[]) => ({ changeId, customerId: f.customerId, deploymentId: f.deploymentId, instanceIds })
      expect(errorCode(await f.provider.addToStable(req('s-unknown', ['i-does-not-exist'])))).toBe('not_found')
      expect(errorCode(await f.provider.addToStable(req('s-empty', [])))).toBe('invalid')
      const grown = value(await f.provider.addToStable(req('s-1', [a!.id])))
      expect([...grown.stable.instanceIds].sort()).toEqual([...before.stable.instanceIds, a!.id].sort())
      expect(value(await f.provider.addToStable(req('s-1', [b!.id]))).stable.instanceIds).not.toContain(b!.id) // same change: first result
      expect((await deploymentOf(f)).stable.instanceIds).not.toContain(b!.id)
      value(await f.provider.terminateInstances({ changeId: 's-term', customerId: f.customerId, instanceIds: [b!.id] }))
      expect(errorCode(await f.provider.addToStable(req('s-2', [b!.id])))).toBe('invalid')
      const [c] = await launchRunning(f, 'launch-s2')
      value(await f.provider.setCanary({ changeId: 's-canary', customerId: f.customerId, deploymentId: f.deploymentId, group: { instanceIds: [c!.id], config: before.stable.config }, weight: 10 }))
      expect(errorCode(await f.provider.addToStable(req('s-3', [c!.id])))).toBe('invalid')
    })

    it('keeps canary weights within 0–100 and applies the first call of a changeId only', async () => {
      const f = await make()
      const ids = (await launchRunning(f, 'launch-c')).map((i) => i.id)
      const config = (await deploymentOf(f)).stable.config
      const req = (changeId: string, weight: number) => ({ changeId, customerId: f.customerId, deploymentId: f.deploymentId, group: { instanceIds: ids, config }, weight })
      for (const [i, w] of [-1, 101, Number.NaN].entries()) expect(errorCode(await f.provider.setCanary(req(`w-bad-${i}`, w)))).toBe('invalid')
      expect(value(await f.provider.setCanary(req('w-0', 0))).canary?.weight).toBe(0)
      const canary = value(await f.provider.setCanary(req('w-10', 10))).canary
      expect(canary?.weight).toBe(10)
      expect([...canary!.instanceIds].sort()).toEqual([...ids].sort())
      expect(value(await f.provider.setCanary(req('w-10', 50))).canary?.weight).toBe(10)
      expect((await deploymentOf(f)).canary?.weight).toBe(10)
      expect(value(await f.provider.setCanary(req('w-100', 100))).canary?.weight).toBe(100)
    })

    it('refuses a canary made of stable instances', async () => {
      const f = await make()
      const d = await deploymentOf(f)
      const r = await f.provider.setCanary({ changeId: 'c-stable', customerId: f.customerId, deploymentId: f.deploymentId, group: { instanceIds: [d.stable.instanceIds[0]!], config: d.stable.config }, weight: 10 })
      expect(errorCode(r)).toBe('invalid')
    })

    it('promotes the canary to stable and returns the old stable instances, still running', async () => {
      const f = await make()
      const noCanary = await f.provider.promoteCanary({ changeId: 'p-0', customerId: f.customerId, deploymentId: f.deploymentId })
      expect(errorCode(noCanary)).toBe('invalid')
      const ids = (await launchRunning(f, 'launch-p')).map((i) => i.id)
      const before = await deploymentOf(f)
      value(await f.provider.setCanary({ changeId: 'p-1', customerId: f.customerId, deploymentId: f.deploymentId, group: { instanceIds: ids, config: before.stable.config }, weight: 50 }))
      const promoted = value(await f.provider.promoteCanary({ changeId: 'p-2', customerId: f.customerId, deploymentId: f.deploymentId }))
      expect(promoted.retiredInstanceIds.sort()).toEqual([...before.stable.instanceIds].sort())
      const after = await deploymentOf(f)
      expect(after.canary).toBeNull()
      expect([...after.stable.instanceIds].sort()).toEqual([...ids].sort())
      const { instances } = await f.provider.listResources(f.customerId)
      for (const id of promoted.retiredInstanceIds) expect(instances.find((i) => i.id === id)).toMatchObject({ state: 'running', group: null })
    })

    it('aborts back to stable at once and returns the canary instances', async () => {
      const f = await make()
      expect(value(await f.provider.abortCanary({ changeId: 'a-0', customerId: f.customerId, deploymentId: f.deploymentId })).canaryInstanceIds).toEqual([])
      const ids = (await launchRunning(f, 'launch-a')).map((i) => i.id)
      const before = await deploymentOf(f)
      value(await f.provider.setCanary({ changeId: 'a-1', customerId: f.customerId, deploymentId: f.deploymentId, group: { instanceIds: ids, config: before.stable.config }, weight: 10 }))
      const aborted = value(await f.provider.abortCanary({ changeId: 'a-2', customerId: f.customerId, deploymentId: f.deploymentId }))
      expect(aborted.canaryInstanceIds.sort()).toEqual([...ids].sort())
      const after = await deploymentOf(f)
      expect(after.canary).toBeNull()
      expect(after.stable).toEqual(before.stable)
    })

    it('bills at the quoted price per instance-second, never negative, and stops at termination', async () => {
      const f = await make()
      const [inst] = await launchRunning(f, 'launch-b')
      const start = f.now()
      const price = (await f.provider.getPrices(f.pool.cloud, f.pool.region)).find((q) => q.instanceType === f.pool.instanceType)!.onDemandHourlyUsd
      await f.advance(HOUR)
      value(await f.provider.terminateInstances({ changeId: 'term-b', customerId: f.customerId, instanceIds: [inst!.id] }))
      await f.advance(HOUR)
      const bill = await f.provider.getBill(f.customerId, start, f.now())
      for (const line of bill) expect(line.costUsd).toBeGreaterThanOrEqual(0)
      const line = bill.find((l) => l.instanceId === inst!.id)!
      expect(line.hours).toBeCloseTo(1, 6)
      expect(line.costUsd).toBeCloseTo(price, 4)
      const later = await f.provider.getBill(f.customerId, new Date(start.getTime() + HOUR), f.now())
      expect(later.find((l) => l.instanceId === inst!.id)).toBeUndefined()
      expect(await f.provider.getBill(f.customerId, f.now(), start)).toEqual([])
    })
  })
}
