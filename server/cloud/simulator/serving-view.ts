/**
 * How a deployment group serves at an instant: its running instances, its share of the traffic,
 * and the serving model's stats under the active faults. Also integrates a group's counters over
 * a window of simulated time. Pure.
 */
import { loadFromTraffic, type EngineConfig, type ServingStats, type TrafficProfile } from '../model/serving.ts'
import { poolsOf, serveGroup } from './mixed-pool.ts'
import type { GroupRole } from '../provider.ts'
import { accrueGroup, withFaults, type GroupCounters } from './counters.ts'
import { trafficShare } from './deployments.ts'
import { groupEffects, type Fault, type GroupEffects } from './faults.ts'
import { runningAt } from './instances.ts'
import type { DeploymentRow, InstanceRow } from './store.ts'
import { trueTraffic } from './variation.ts'

/** A group's serving state at one instant. */
export interface GroupServing {
  group: GroupRole
  config: EngineConfig
  share: number
  /** Offered requests per second to this group. */
  rps: number
  running: InstanceRow[]
  /** null when the group has never had an instance (no GPU to model). */
  stats: ServingStats | null
  effects: GroupEffects
}

/** The group's config, or undefined when the group does not exist (no canary). */
export function groupConfig(d: DeploymentRow, group: GroupRole): EngineConfig | undefined {
  return group === 'stable' ? d.stable_config : (d.canary_config ?? undefined)
}

/** The traffic a deployment really serves: its registration's, moved by its hidden variation. */
export function servedTraffic(d: DeploymentRow): TrafficProfile {
  return d.hidden ? trueTraffic(d.traffic, d.hidden) : d.traffic
}

/** Serving state of one group at `at`, from the instance rows (terminated ones included for history). */
export function groupServingAt(d: DeploymentRow, rows: InstanceRow[], faults: Fault[], group: GroupRole, at: Date): GroupServing | null {
  const config = groupConfig(d, group)
  if (!config) return null
  const members = rows.filter((r) => r.deployment_id === d.id && r.grp === group)
  const running = members.filter((r) => runningAt(r, at))
  const share = trafficShare(d, group)
  const effects = groupEffects(faults, d.id, group, at)
  const base = servedTraffic(d)
  const traffic = effects.trafficFactor === 1 ? base : { ...base, baseRps: base.baseRps * effects.trafficFactor }
  const rps = loadFromTraffic(traffic, at, { gpuType: 'H100', gpusPerInstance: 1, instances: 0 }, share).rps
  const sample = running[0] ?? members[0]
  if (!sample) return { group, config, share, rps, running, stats: null, effects }
  const load = { ...loadFromTraffic(traffic, at, { gpuType: sample.gpu_type, gpusPerInstance: sample.gpu_count, instances: running.length }, share), efficiency: d.hidden?.efficiency ?? 1 }
  const pools = running.length ? poolsOf(running) : [{ gpuType: sample.gpu_type, gpusPerInstance: sample.gpu_count, instances: 0 }]
  return { group, config, share, rps, running, stats: withFaults(serveGroup(d.model, config, pools, load), rps, effects), effects }
}

/** Longest step of the counter integration; scrapes usually come every 15–60 s of simulated time. */
const MAX_STEP_MS = 60_000
/** Cap on steps per integration, so a long gap (hours unscraped) stays cheap: steps grow instead. */
const MAX_STEPS = 240

/** Advances a group's counters from `from` to `to`, evaluating the model at each step's midpoint. */
export function accrueWindow(c: GroupCounters, d: DeploymentRow, rows: InstanceRow[], faults: Fault[], group: GroupRole, from: Date, to: Date): GroupCounters {
  const span = to.getTime() - from.getTime()
  if (!(span > 0)) return c
  const steps = Math.min(MAX_STEPS, Math.ceil(span / MAX_STEP_MS))
  const dt = span / steps
  const promptTokensMean = servedTraffic(d).promptTokensMean
  for (let i = 0; i < steps; i++) {
    const mid = new Date(from.getTime() + (i + 0.5) * dt)
    const g = groupServingAt(d, rows, faults, group, mid)
    if (!g || !(g.rps > 0)) continue
    if (g.stats) accrueGroup(c, g.stats, g.rps, promptTokensMean, dt / 1000)
    else c.finished.error += (g.rps * dt) / 1000
  }
  return c
}
