/**
 * The data transfer a cross-cloud deployment is billed for. Callers stay in the deployment's own
 * cloud, so every request served by an instance in the other cloud sends its prompt out of the
 * callers' cloud and its answer out of the instance's, each billed at the sender's internet egress
 * rate. Bytes come from the traffic the group really served (its hidden variation and faults
 * included), integrated over the window, shared evenly among the group's running instances. Pure.
 */
import { microsToUsd, usdToMicros, type Catalog } from '../catalog/catalog.ts'
import { wireGb } from '../model/wire.ts'
import type { BillLine, GroupRole } from '../provider.ts'
import { billedWindow } from './billing.ts'
import type { Fault } from './faults.ts'
import { groupServingAt, servedTraffic } from './serving-view.ts'
import type { DeploymentRow, InstanceRow } from './store.ts'

/** Longest integration step; the bill is read over minutes to a month. */
const MAX_STEP_MS = 60_000
/** Cap on steps per group and window, so a month-long bill read stays cheap: steps grow instead. */
const MAX_STEPS = 240
const HOUR_MS = 3_600_000
const GROUPS: GroupRole[] = ['stable', 'canary']

/** Gigabytes each instance of a group sent and received across clouds over [from, to). */
interface Wire { prompts: Map<string, number>; answers: Map<string, number> }

function integrateGroup(d: DeploymentRow, rows: InstanceRow[], faults: Fault[], group: GroupRole, from: Date, to: Date, wire: Wire): void {
  const span = to.getTime() - from.getTime()
  const steps = Math.min(MAX_STEPS, Math.ceil(span / MAX_STEP_MS))
  const dt = span / steps
  const t = servedTraffic(d)
  for (let i = 0; i < steps; i++) {
    const g = groupServingAt(d, rows, faults, group, new Date(from.getTime() + (i + 0.5) * dt))
    if (!g || !(g.rps > 0) || g.running.length === 0) continue
    const perInstance = (g.rps * dt) / 1000 / g.running.length
    const answered = perInstance * (1 - (g.stats?.errorRate ?? 1))
    for (const r of g.running) {
      if (r.cloud === d.cloud) continue
      wire.prompts.set(r.id, (wire.prompts.get(r.id) ?? 0) + wireGb(perInstance, t.promptTokensMean))
      wire.answers.set(r.id, (wire.answers.get(r.id) ?? 0) + wireGb(answered, t.outputTokensMean))
    }
  }
}

/** True when some instance of a deployment ran in [from, to) outside the deployment's cloud. */
export function servesAcrossClouds(deployments: DeploymentRow[], rows: InstanceRow[], from: Date, to: Date): boolean {
  const home = new Map(deployments.map((d) => [d.id, d.cloud]))
  return rows.some((r) => r.deployment_id !== null && home.has(r.deployment_id) && home.get(r.deployment_id) !== r.cloud && billedWindow(r, from, to) !== null)
}

/** The data-transfer bill lines of [from, to): per instance serving across clouds, its prompts' and its answers' egress. */
export function transferLines(catalog: Catalog, deployments: DeploymentRow[], rows: InstanceRow[], faults: Fault[], from: Date, to: Date): BillLine[] {
  const lines: BillLine[] = []
  for (const d of deployments) {
    const foreign = rows.filter((r) => r.deployment_id === d.id && r.cloud !== d.cloud && billedWindow(r, from, to))
    if (foreign.length === 0) continue
    const wire: Wire = { prompts: new Map(), answers: new Map() }
    for (const group of GROUPS) if (foreign.some((r) => r.grp === group)) integrateGroup(d, rows, faults, group, from, to, wire)
    for (const r of foreign) {
      const w = billedWindow(r, from, to)!
      const base = { instanceId: r.id, instanceType: r.instance_type, pricing: r.pricing, deploymentId: d.id, from: new Date(w.start).toISOString(), to: new Date(w.end).toISOString(), hours: (w.end - w.start) / HOUR_MS }
      const sent = [
        { direction: 'to_instance' as const, cloud: d.cloud, region: d.region, gb: wire.prompts.get(r.id) ?? 0 },
        { direction: 'from_instance' as const, cloud: r.cloud, region: r.region, gb: wire.answers.get(r.id) ?? 0 },
      ]
      for (const s of sent) {
        if (!(s.gb > 0)) continue
        lines.push({ ...base, costUsd: microsToUsd(Math.round(usdToMicros(s.gb * catalog.egressUsdPerGb[s.cloud]))), transfer: s })
      }
    }
  }
  return lines
}
