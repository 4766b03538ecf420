/**
 * Injected faults (admin only, simulator only): what each kind does and when it applies. A fault
 * names a deployment (or none: every deployment of the customer) and a target group; a 'canary'
 * fault applies to whatever canary group exists now or later. Pure.
 */
import type { GroupRole, ProviderError } from '../provider.ts'

/** The fault kinds the simulator can inject. */
export const FAULT_KINDS = ['quality_degradation', 'latency_spike', 'error_burst', 'spot_interruption', 'launch_failure', 'capacity_shortage', 'traffic_surge'] as const
export type FaultKind = typeof FAULT_KINDS[number]
/** Which group of a deployment a fault hits. */
export type FaultTarget = GroupRole | 'all'

/** A stored fault. */
export interface Fault {
  id: string
  customerId: string
  deploymentId: string | null
  target: FaultTarget
  kind: FaultKind
  magnitude: number
  instanceType: string | null
  createdAt: Date
  expiresAt: Date | null
  clearedAt: Date | null
  detail: Record<string, unknown>
}

/**
 * Default magnitude per kind: quality −0.15 absolute accuracy (well past a 5% regression gate),
 * latency ×3, error rate 20% of requests, offered traffic ×3. Spot interruption, launch failure and
 * capacity shortage are on/off (magnitude unused).
 */
export const DEFAULT_MAGNITUDE: Readonly<Record<FaultKind, number>> = {
  quality_degradation: 0.15, latency_spike: 3, error_burst: 0.2, spot_interruption: 1, launch_failure: 1, capacity_shortage: 1, traffic_surge: 3,
}

/** Checks a magnitude for its kind; returns a message when out of range. */
export function magnitudeProblem(kind: FaultKind, magnitude: number): string | null {
  if (!Number.isFinite(magnitude)) return 'magnitude must be a finite number'
  if ((kind === 'quality_degradation' || kind === 'error_burst') && (magnitude <= 0 || magnitude > 1)) return `${kind} magnitude must be in (0, 1]`
  if (kind === 'latency_spike' && (magnitude < 1 || magnitude > 1000)) return 'latency_spike magnitude is a latency multiplier from 1 to 1000'
  if (kind === 'traffic_surge' && (magnitude <= 0 || magnitude > 100)) return 'traffic_surge magnitude is a request-rate multiplier in (0, 100]'
  return null
}

/** True while the fault is in force. */
export function isActive(f: Fault, at: Date): boolean {
  const t = at.getTime()
  return f.createdAt.getTime() <= t && (f.expiresAt === null || t < f.expiresAt.getTime()) && (f.clearedAt === null || t < f.clearedAt.getTime())
}

function hits(f: Fault, deploymentId: string, group: GroupRole): boolean {
  return (f.deploymentId === null || f.deploymentId === deploymentId) && (f.target === 'all' || f.target === group)
}

/** What faults do to a serving group at an instant; `trafficFactor` scales the requests it is offered (a surge, or a lull below 1). */
export interface GroupEffects { latencyFactor: number; errorRate: number; degradation: number; trafficFactor: number }

/** Combined effect of the active faults on one group: latency multiplies, error rates and degradations add (capped at 1). */
export function groupEffects(faults: Fault[], deploymentId: string, group: GroupRole, at: Date): GroupEffects {
  const e: GroupEffects = { latencyFactor: 1, errorRate: 0, degradation: 0, trafficFactor: 1 }
  for (const f of faults) {
    if (!isActive(f, at) || !hits(f, deploymentId, group)) continue
    if (f.kind === 'latency_spike') e.latencyFactor *= f.magnitude
    if (f.kind === 'error_burst') e.errorRate = Math.min(1, e.errorRate + f.magnitude)
    if (f.kind === 'quality_degradation') e.degradation = Math.min(1, e.degradation + f.magnitude)
    if (f.kind === 'traffic_surge') e.trafficFactor *= f.magnitude
  }
  return e
}

/**
 * The launch error an active fault imposes on launching `instanceType` (at `pricing`) for a
 * deployment, if any. A capacity shortage may be limited to one pricing (`detail.pricing`: the spot
 * market of a type can be exhausted while on-demand capacity remains).
 */
export function launchBlock(faults: Fault[], deploymentId: string, instanceType: string, at: Date, pricing?: string): ProviderError | null {
  for (const f of faults) {
    if (!isActive(f, at) || (f.deploymentId !== null && f.deploymentId !== deploymentId)) continue
    if (f.kind === 'launch_failure') return { code: 'launch_failed', message: 'instance launch failed (injected fault)', retryable: false }
    const pricingHit = f.detail.pricing === undefined || pricing === undefined || f.detail.pricing === pricing
    if (f.kind === 'capacity_shortage' && (f.instanceType === null || f.instanceType === instanceType) && pricingHit) {
      return { code: 'capacity', message: `insufficient ${f.detail.pricing ? `${String(f.detail.pricing)} ` : ''}capacity for ${instanceType} (injected fault)`, retryable: true }
    }
  }
  return null
}
