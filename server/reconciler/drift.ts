/**
 * The reconciler's rules: compare a deployment's observed stable group with the capacity the
 * platform last applied, and say what one step would bring them closer. Pure: no I/O, no clock.
 *
 * - Lost capacity (instances reclaimed, failed or under an interruption notice) is replaced at
 *   once, on-demand first up to the floor, then spot in another pool when the deployment runs on
 *   spot (on-demand when no spot pool is left).
 * - A spot deployment keeps `floor` instances on-demand.
 * - Capacity standing in on-demand for spot returns to spot when spot can be launched again.
 * - Surplus (the old spot instance once the floor runs, the stand-in once spot is back) is retired.
 */
import type { Cloud, FleetDeployment, FleetInstance, PoolSpec, PriceQuote, Pricing } from '../cloud/provider.ts'
import { countOf } from '../desired/spec.ts'

/** A pool of the intended capacity. */
export interface IntendedPool { cloud: Cloud; region: string; instanceType: string; pricing: Pricing; count: number }
/** Where a launch may go (a pool without its count), in the order to try. */
export type Candidate = Omit<PoolSpec, 'count'>

/** One step towards the intended capacity. */
export type Plan =
  | { kind: 'replace' | 'floor' | 'return_to_spot'; reason: string; count: number; candidates: Candidate[] }
  | { kind: 'retire'; reason: string; instanceIds: string[] }

/** What the rules see of one deployment. */
export interface Observation {
  deployment: FleetDeployment
  /** The customer's instances (any deployment; the rules pick the stable group's). */
  instances: FleetInstance[]
  pools: IntendedPool[]
  /** On-demand instances a spot deployment keeps. */
  floor: number
  /**
   * Whether the floor is kept in steady state (an operator's fixed floor, or a latency-critical
   * deployment, as the cost agent plans it) or only steers replacements of lost capacity. By
   * default a healthy fleet is left as the approved change made it: converting its spot capacity
   * to on-demand would undo part of that change.
   */
  keepFloor: boolean
  /** Prices of the deployment's region (which spot pools exist). */
  quotes: PriceQuote[]
  /** False while a refused return to spot waits for its retry time. */
  spotRetryDue: boolean
}

/** The observed stable group, split the way the rules count it. */
export interface Observed {
  /** Members that will keep serving: live and not under an interruption notice. */
  keep: FleetInstance[]
  /** Members serving now (running, notice or not). */
  serving: FleetInstance[]
  /** Members under an interruption notice. */
  noticed: FleetInstance[]
}

/** Aggregates instances into pools (one per cloud/region/type/pricing). */
export function poolsOf(instances: FleetInstance[]): IntendedPool[] {
  const pools = new Map<string, IntendedPool>()
  for (const i of instances) {
    const key = `${i.cloud}/${i.region}/${i.instanceType}/${i.pricing}`
    const p = pools.get(key) ?? { cloud: i.cloud, region: i.region, instanceType: i.instanceType, pricing: i.pricing, count: 0 }
    p.count += 1
    pools.set(key, p)
  }
  return [...pools.values()]
}

/** The stable group as the rules count it. */
export function observe(d: FleetDeployment, instances: FleetInstance[]): Observed {
  const byId = new Map(instances.map((i) => [i.id, i]))
  const members = d.stable.instanceIds.map((id) => byId.get(id)).filter((i): i is FleetInstance => !!i && i.state !== 'terminated')
  return {
    keep: members.filter((i) => i.interruptionAt === null),
    serving: members.filter((i) => i.state === 'running'),
    noticed: members.filter((i) => i.interruptionAt !== null),
  }
}

/** On-demand and spot counts the deployment should have: a spot deployment keeps `floor` on-demand. */
export function targetMix(pools: IntendedPool[], floor: number): { onDemand: number; spot: number } {
  const total = countOf(pools)
  const spot = pools.filter((p) => p.pricing === 'spot').reduce((n, p) => n + p.count, 0)
  if (spot === 0) return { onDemand: total, spot: 0 }
  const onDemand = Math.min(total, Math.max(total - spot, floor))
  return { onDemand, spot: total - onDemand }
}

/** The main pool (largest count), the one whose type stand-ins are launched in. */
function mainPool(pools: IntendedPool[]): IntendedPool {
  return [...pools].sort((a, b) => b.count - a.count)[0]!
}

/** An on-demand pool of the main type (reserved capacity is replaced on-demand: a commitment cannot be bought in minutes). */
export function onDemandCandidate(pools: IntendedPool[]): Candidate {
  const p = mainPool(pools)
  return { cloud: p.cloud, region: p.region, instanceType: p.instanceType, pricing: 'on-demand' }
}

/**
 * Spot pools able to run the deployment: the same GPU type and count in the same region. Types
 * not being reclaimed now come first (another pool), cheapest first; reclaimed types last.
 */
export function spotCandidates(pools: IntendedPool[], quotes: PriceQuote[], reclaimedTypes: Set<string>): Candidate[] {
  const p = mainPool(pools)
  const base = quotes.find((q) => q.instanceType === p.instanceType)
  if (!base) return []
  const fits = quotes.filter((q) => q.spotHourlyUsd !== undefined && q.gpuType === base.gpuType && q.gpuCount === base.gpuCount)
  const rank = (q: PriceQuote) => (reclaimedTypes.has(q.instanceType) ? 1 : 0)
  return fits
    .sort((a, b) => rank(a) - rank(b) || a.spotHourlyUsd! - b.spotHourlyUsd! || a.instanceType.localeCompare(b.instanceType))
    .map((q) => ({ cloud: q.cloud, region: q.region, instanceType: q.instanceType, pricing: 'spot' as const }))
}

const isSpot = (i: FleetInstance) => i.pricing === 'spot'

function replacement(o: Observation, seen: Observed, deficit: number, mix: { onDemand: number; spot: number }): Plan {
  const lost = seen.noticed.length > 0 ? `${seen.noticed.length} instance(s) under interruption notice` : 'instances lost'
  const od = seen.keep.filter((i) => !isSpot(i)).length
  const odShort = mix.onDemand - od
  const reason = `${lost}: ${seen.keep.length} of ${countOf(o.pools)} intended instances remain`
  if (odShort > 0) return { kind: 'replace', reason: `${reason}; on-demand floor ${mix.onDemand}`, count: Math.min(deficit, odShort), candidates: [onDemandCandidate(o.pools)] }
  if (mix.spot === 0) return { kind: 'replace', reason, count: deficit, candidates: [onDemandCandidate(o.pools)] }
  const reclaimed = new Set(seen.noticed.filter(isSpot).map((i) => i.instanceType))
  return { kind: 'replace', reason, count: deficit, candidates: [...spotCandidates(o.pools, o.quotes, reclaimed), onDemandCandidate(o.pools)] }
}

/** Which surplus members to retire: from the class above its target, newest first. */
function surplus(seen: Observed, n: number, mix: { onDemand: number; spot: number }): Plan | null {
  const od = seen.keep.filter((i) => !isSpot(i))
  const spot = seen.keep.filter(isSpot)
  const newest = (xs: FleetInstance[]) => [...xs].sort((a, b) => b.launchedAt.localeCompare(a.launchedAt) || a.id.localeCompare(b.id))
  if (od.length > mix.onDemand) {
    const ids = newest(od).slice(0, Math.min(n, od.length - mix.onDemand)).map((i) => i.id)
    return { kind: 'retire', reason: `spot capacity is back: ${ids.length} on-demand stand-in(s) no longer needed`, instanceIds: ids }
  }
  if (spot.length > mix.spot) {
    const ids = newest(spot).slice(0, Math.min(n, spot.length - mix.spot)).map((i) => i.id)
    return { kind: 'retire', reason: `on-demand floor of ${mix.onDemand} runs: ${ids.length} spot instance(s) above the intended count`, instanceIds: ids }
  }
  return null
}

/** The next step for a deployment, or null when observed equals intended (or a rollout owns the deployment). */
export function decide(o: Observation): Plan | null {
  if (o.deployment.canary !== null || o.pools.length === 0) return null
  const seen = observe(o.deployment, o.instances)
  const deficit = countOf(o.pools) - seen.keep.length
  if (deficit > 0) return replacement(o, seen, deficit, targetMix(o.pools, o.floor))
  const mix = targetMix(o.pools, o.keepFloor ? o.floor : 0)
  if (seen.keep.some((i) => i.state !== 'running')) return null // replacements still booting
  const od = seen.keep.filter((i) => !isSpot(i)).length
  const spot = seen.keep.length - od
  if (od < mix.onDemand) {
    return { kind: 'floor', reason: `spot deployment keeps ${mix.onDemand} on-demand instance(s); ${od} run`, count: mix.onDemand - od, candidates: [onDemandCandidate(o.pools)] }
  }
  if (mix.spot > spot && od > mix.onDemand && o.spotRetryDue) {
    const count = Math.min(mix.spot - spot, od - mix.onDemand)
    return { kind: 'return_to_spot', reason: `${od - mix.onDemand} on-demand instance(s) stand in for spot`, count, candidates: spotCandidates(o.pools, o.quotes, new Set()) }
  }
  const extra = seen.keep.length - countOf(o.pools)
  return extra > 0 ? surplus(seen, extra, mix) : null
}

/** True when no instance of the stable group serves (the deployment answers 503). */
export function isDown(d: FleetDeployment, instances: FleetInstance[]): boolean {
  return observe(d, instances).serving.length === 0
}
