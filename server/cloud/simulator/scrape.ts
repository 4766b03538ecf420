/**
 * Scraping the simulated fleet: brings an endpoint's stored counters up to now (rate × elapsed
 * simulated time) and returns the metric families a vLLM server or DCGM exporter would expose.
 * Mutations that change who serves what call `accrueDeployment` first, so past windows are
 * counted under the configuration that was really serving.
 */
import type { Db } from '../../db/db.ts'
import type { MetricFamily } from '../../telemetry/prometheus.ts'
import type { GroupRole } from '../provider.ts'
import type { SimContext } from './context.ts'
import { emptyGroupCounters, type GroupCounters } from './counters.ts'
import { dcgmFamilies, gpuStates, powerWatts } from './dcgm-metrics.ts'
import { listFaults } from './fault-store.ts'
import type { Fault } from './faults.ts'
import { runningAt } from './instances.ts'
import { accrueWindow, groupConfig, groupServingAt } from './serving-view.ts'
import { getCounters, instancesOfDeployment, listDeployments, listInstances, putCounters, type DeploymentRow, type InstanceRow } from './store.ts'
import { vllmFamilies } from './vllm-metrics.ts'
import { kubeStateFamilies } from './kube-state-metrics.ts'

/** What a scrape answers: the families, or an HTTP status with a reason (404 unknown, 503 not serving). */
export type ScrapeResult = { status: 200; families: MetricFamily[] } | { status: 404 | 503; message: string }

const GROUPS: readonly GroupRole[] = ['stable', 'canary']
const subjectOf = (deploymentId: string, group: GroupRole) => `dep:${deploymentId}:${group}`

/** Brings one group's counters to `now`; creates them (from the deployment's start for stable, now for a canary). */
async function accrueGroup(tx: Db, d: DeploymentRow, rows: InstanceRow[], faults: Fault[], group: GroupRole, now: Date): Promise<{ counters: GroupCounters; created: Date } | null> {
  const subject = subjectOf(d.id, group)
  const row = await getCounters<GroupCounters>(tx, d.customer_id, subject)
  if (!row && !groupConfig(d, group)) return null
  const created = row?.created_at ?? (group === 'stable' ? d.created_at : now)
  const from = row?.updated_at ?? created
  const counters = accrueWindow(row?.state ?? emptyGroupCounters(), d, rows, faults, group, from, now)
  await putCounters(tx, d.customer_id, subject, { created_at: created, updated_at: now, state: counters })
  return { counters, created }
}

/** Brings both groups' counters of a deployment to `now` (call before changing groups, weights or configs). */
export async function accrueDeployment(tx: Db, d: DeploymentRow, now: Date): Promise<void> {
  const rows = await instancesOfDeployment(tx, d.customer_id, d.id)
  const faults = await listFaults(tx, d.customer_id)
  for (const g of GROUPS) await accrueGroup(tx, d, rows, faults, g, now)
}

/** The vLLM /metrics of one deployment group. */
export async function scrapeVllm(ctx: SimContext, customerId: string, deploymentId: string, group: GroupRole): Promise<ScrapeResult> {
  return ctx.db.tx(async (tx) => {
    const now = ctx.clock.now()
    const [d] = await listDeployments(tx, customerId, deploymentId)
    if (!d || !groupConfig(d, group)) return { status: 404, message: `Deployment group ${deploymentId}/${group}` }
    const rows = await instancesOfDeployment(tx, customerId, deploymentId)
    const faults = await listFaults(tx, customerId)
    const g = groupServingAt(d, rows, faults, group, now)
    if (!g?.stats || g.running.length === 0) return { status: 503, message: `${group} group of ${deploymentId} has no running instance` }
    if (!g.stats.fits) return { status: 503, message: `engine failed to start: ${g.stats.warnings[0] ?? 'model does not fit'}` }
    const acc = await accrueGroup(tx, d, rows, faults, group, now)
    if (!acc) return { status: 404, message: `Deployment group ${deploymentId}/${group}` }
    const s = g.stats
    // Erlang tails give values like 1e-92 waiting requests: a gauge below a millionth is 0.
    const clean = (v: number) => (v < 1e-6 ? 0 : v)
    const gauges = { running: clean(s.requestsRunning), waiting: clean(s.requestsWaiting), kvCacheUsage: clean(s.kvCacheUsage), kvCacheTokens: s.kvCacheTokensPerReplica }
    return { status: 200, families: vllmFamilies(d.model.name, acc.counters, gauges, g.config, acc.created) }
  })
}

interface EnergyState { energyMj: number[] }

/** Longest step of the energy integration (power changes with the daily traffic cycle). */
const ENERGY_STEP_MS = 300_000
const ENERGY_MAX_STEPS = 240

function energyBetween(inst: InstanceRow, d: DeploymentRow | undefined, rows: InstanceRow[], faults: Fault[], from: number, to: number): number[] {
  const out = new Array<number>(inst.gpu_count).fill(0)
  if (!(to > from)) return out
  const steps = Math.min(ENERGY_MAX_STEPS, Math.ceil((to - from) / ENERGY_STEP_MS))
  const dt = (to - from) / steps
  for (let k = 0; k < steps; k++) {
    const at = new Date(from + (k + 0.5) * dt)
    const serving = d && inst.grp ? groupServingAt(d, rows, faults, inst.grp, at) : null
    const states = gpuStates(inst.gpu_count, serving, serving?.running.length ?? 0)
    states.forEach((s, i) => { out[i]! += powerWatts(inst.gpu_type, s) * dt })
  }
  return out
}

/** The DCGM-exporter /metrics of one instance (503 unless it is running). */
export async function scrapeDcgm(ctx: SimContext, customerId: string, instanceId: string): Promise<ScrapeResult> {
  return ctx.db.tx(async (tx) => {
    const now = ctx.clock.now()
    const [inst] = await listInstances(tx, customerId, [instanceId])
    if (!inst) return { status: 404, message: `Instance ${instanceId}` }
    if (!runningAt(inst, now)) return { status: 503, message: `instance ${instanceId} is not running` }
    const [d] = inst.deployment_id ? await listDeployments(tx, customerId, inst.deployment_id) : []
    const rows = d ? await instancesOfDeployment(tx, customerId, d.id) : []
    const faults = d ? await listFaults(tx, customerId) : []
    const subject = `inst:${instanceId}`
    const prev = await getCounters<EnergyState>(tx, customerId, subject)
    const from = (prev?.updated_at ?? inst.ready_at).getTime()
    const add = energyBetween(inst, d, rows, faults, from, now.getTime())
    const energyMj = add.map((e, i) => (prev?.state.energyMj[i] ?? 0) + e)
    await putCounters(tx, customerId, subject, { created_at: prev?.created_at ?? inst.ready_at, updated_at: now, state: { energyMj } })
    const serving = d && inst.grp ? groupServingAt(d, rows, faults, inst.grp, now) : null
    const states = gpuStates(inst.gpu_count, serving, serving?.running.length ?? 0)
    return { status: 200, families: dcgmFamilies(inst.id, inst.gpu_type, states, energyMj) }
  })
}

/** The kube-state-metrics view of a customer's cluster: its running nodes and the vLLM pods on them. */
export async function scrapeClusterState(ctx: SimContext, customerId: string): Promise<ScrapeResult> {
  const now = ctx.clock.now()
  const running = (await listInstances(ctx.db, customerId)).filter((r) => runningAt(r, now))
  return { status: 200, families: kubeStateFamilies(running) }
}
