import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshDb, testDbKind } from '../../test/db.ts'
import type { Db } from '../../db/db.ts'
import { loadCatalog } from '../catalog/catalog.ts'
import { trafficRpsAt } from '../model/serving.ts'
import { wireGb } from '../model/wire.ts'
import { monthlyRunRateUsd } from '../../spend/run-rate.ts'
import { providerBillAsFocus } from '../../billing/export.ts'
import { parseFocusCsv } from '../../billing/focus.ts'
import type { FleetSpec } from './register-plan.ts'
import { simFixture } from './testing.ts'

let db: Db
let drop: () => Promise<void>
beforeAll(async () => { ({ db, drop } = await freshDb()) }, 60_000)
afterAll(async () => { await db?.close(); await drop?.() })

const HOUR = 3_600_000
const rates = loadCatalog().egressUsdPerGb
const FLEET: FleetSpec = {
  instances: [{ instance_id: 'i-home-1', instance_type: 'g6e.xlarge', pricing: 'on-demand' }],
  vllm_deployments: [{ deployment_id: 'chat-8b', model: 'meta-llama/Meta-Llama-3-8B-Instruct', instance_ids: ['i-home-1'], requests_per_second: 2 }],
}

/** A deployment registered on AWS whose only serving instance then runs on GCP (an A100 serves 2 req/s without errors: every request is answered). */
async function movedToGcp() {
  const f = await simFixture(db, FLEET)
  const launched = await f.sim.launchInstances({ changeId: 'l', customerId: f.customerId, deploymentId: 'chat-8b', pool: { cloud: 'gcp', region: 'us-central1', instanceType: 'a2-ultragpu-1g', pricing: 'on-demand', count: 1 } })
  if (!launched.ok) throw new Error(launched.error.message)
  f.clock.advance(10 * 60_000)
  await f.sim.addToStable({ changeId: 's', customerId: f.customerId, deploymentId: 'chat-8b', instanceIds: [launched.value[0]!.id] })
  await f.sim.terminateInstances({ changeId: 't', customerId: f.customerId, instanceIds: ['i-home-1'] })
  return { ...f, gcpId: launched.value[0]!.id }
}

describe(`cross-cloud data transfer on the simulated bill, on ${testDbKind}`, () => {
  it('bills nothing for data transfer while the deployment serves from its own cloud', async () => {
    const f = await simFixture(db, FLEET)
    f.clock.advance(2 * HOUR)
    const lines = await f.sim.getBill(f.customerId, new Date(f.clock.now().getTime() - HOUR), f.clock.now())
    expect(lines.filter((l) => l.transfer)).toEqual([])
  })

  it('bills prompts leaving the callers\' cloud and answers leaving the serving cloud, at each sender\'s egress rate', async () => {
    const f = await movedToGcp()
    const start = new Date(Math.ceil(f.clock.now().getTime() / HOUR) * HOUR)
    f.clock.set(new Date(start.getTime() + HOUR))
    const lines = await f.sim.getBill(f.customerId, start, f.clock.now())
    const transfer = lines.filter((l) => l.transfer)
    expect(transfer.map((l) => [l.instanceId, l.deploymentId, l.transfer!.direction, l.transfer!.cloud])).toEqual([
      [f.gcpId, 'chat-8b', 'to_instance', 'aws'], [f.gcpId, 'chat-8b', 'from_instance', 'gcp'],
    ])
    // by hand: the registered traffic (no variation) at one-minute steps over the hour
    const t = (await f.sim.listResources(f.customerId)).deployments[0]!.traffic
    let requests = 0
    for (let m = 0; m < 60; m++) requests += trafficRpsAt(t, new Date(start.getTime() + (m + 0.5) * 60_000)) * 60
    const [prompts, answers] = transfer
    expect(prompts!.transfer!.gb).toBeCloseTo(wireGb(requests, t.promptTokensMean), 6)
    expect(answers!.transfer!.gb).toBeCloseTo(wireGb(requests, t.outputTokensMean), 4)
    expect(prompts!.costUsd).toBeCloseTo(prompts!.transfer!.gb * rates.aws, 5)
    expect(answers!.costUsd).toBeCloseTo(answers!.transfer!.gb * rates.gcp, 5)
    // the deployment's run-rate, and so realized savings, include it
    const compute = lines.find((l) => !l.transfer && l.instanceId === f.gcpId)!
    const runRate = await monthlyRunRateUsd(f.sim, f.customerId, f.clock.now(), 'chat-8b')
    expect(runRate).toBeCloseTo((compute.costUsd + prompts!.costUsd + answers!.costUsd) * 730, 4)
  })

  it('exports data transfer as FOCUS Networking rows in GB that import back with the same cost', async () => {
    const f = await movedToGcp()
    const start = new Date(Math.ceil(f.clock.now().getTime() / HOUR) * HOUR)
    f.clock.set(new Date(start.getTime() + 2 * HOUR))
    const csv = await providerBillAsFocus(f.sim, f.customerId, start, f.clock.now())
    const parsed = parseFocusCsv(csv)
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors))
    const networking = parsed.lines.filter((l) => l.skuId?.startsWith('DataTransfer'))
    expect(networking.map((l) => [l.providerName, l.serviceName, l.resourceId])).toEqual([
      ['AWS', 'AWS Data Transfer', f.gcpId], ['Google Cloud', 'Networking', f.gcpId], ['AWS', 'AWS Data Transfer', f.gcpId], ['Google Cloud', 'Networking', f.gcpId],
    ])
    const billed = (await f.sim.getBill(f.customerId, start, new Date(start.getTime() + HOUR))).concat(await f.sim.getBill(f.customerId, new Date(start.getTime() + HOUR), f.clock.now()))
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)
    expect(sum(networking.map((l) => l.effectiveCost))).toBeCloseTo(sum(billed.filter((l) => l.transfer).map((l) => l.costUsd)), 6)
  })
})
