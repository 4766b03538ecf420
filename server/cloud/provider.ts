import type { EngineConfig, ModelSpec, TrafficProfile } from './model/serving.ts'

/** The clouds OptiInfra speaks to (the simulator plays either). */
export type Cloud = 'aws' | 'gcp'
/** How an instance is paid for. */
export type Pricing = 'on-demand' | 'spot' | 'reserved'
/** Which side of a canary an instance serves. */
export type GroupRole = 'stable' | 'canary'

/** A GPU instance as the provider reports it. */
export interface FleetInstance {
  id: string
  customerId: string
  cloud: Cloud
  region: string
  instanceType: string
  gpuType: string
  gpuCount: number
  pricing: Pricing
  state: 'pending' | 'running' | 'terminated'
  deploymentId: string | null
  group: GroupRole | null
  launchedAt: string
  terminatedAt: string | null
  /** Price being paid now, USD per hour (spot moves; reserved is the amortized rate). */
  hourlyUsd: number
  /** Set when the cloud has announced a spot interruption (AWS 2 min, GCP 30 s ahead). */
  interruptionAt: string | null
}

/** Service-level objectives of a deployment (used by validators and canary analysis). */
export interface Slo { p95Ms: number; p99Ms: number; maxErrorRate: number; minQuality: number }

/** A group of instances serving one engine configuration. */
export interface ServingGroup { instanceIds: string[]; config: EngineConfig }

/** A vLLM deployment: a stable group and, during a rollout, a canary group taking `weight`% of traffic. */
export interface FleetDeployment {
  id: string
  customerId: string
  name: string
  cloud: Cloud
  region: string
  model: ModelSpec
  traffic: TrafficProfile
  latencyCritical: boolean
  slo: Slo
  stable: ServingGroup
  canary: (ServingGroup & { weight: number }) | null
  /**
   * Where the deployment speaks the real protocols. Paths may be relative to the platform URL
   * (simulator) or absolute (a real fleet). One vLLM metrics and chat endpoint per group; DCGM per instance.
   */
  endpoints: {
    vllmMetrics: { stable: string; canary: string | null }
    chat: { stable: string; canary: string | null; router: string }
    dcgmMetrics: { instanceId: string; url: string }[]
  }
}

/** Cost of one instance over a window, at the prices actually paid (the bill, not an estimate). */
export interface BillLine {
  instanceId: string
  instanceType: string
  pricing: Pricing
  deploymentId: string | null
  from: string
  to: string
  hours: number
  costUsd: number
  /**
   * Set on a data-transfer line: internet egress of the traffic the instance served from outside
   * its deployment's callers' cloud, billed by `cloud` (prompts leave the callers' cloud, answers
   * the instance's), attributed to the instance as cloud bills attribute data transfer. Absent on
   * the instance's own (compute) line.
   */
  transfer?: { direction: 'to_instance' | 'from_instance'; cloud: Cloud; region: string; gb: number }
}

/** A price list entry for one instance type in one region. */
export interface PriceQuote {
  cloud: Cloud
  region: string
  instanceType: string
  gpuType: string
  gpuCount: number
  onDemandHourlyUsd: number
  /** Current spot price, absent where the type has no spot market data. */
  spotHourlyUsd?: number
  spotInterruptionRatePerHour?: number
  reserved1yHourlyUsd?: number
  reserved3yHourlyUsd?: number
}

/** Why a provider call did not do what was asked; expected failures are data, not exceptions. */
export interface ProviderError {
  code: 'capacity' | 'launch_failed' | 'throttled' | 'not_found' | 'invalid' | 'unavailable'
  message: string
  retryable: boolean
}
export type ProviderResult<T> = { ok: true; value: T } | { ok: false; error: ProviderError }

/** A pool of identical instances to launch. */
export interface PoolSpec { cloud: Cloud; region: string; instanceType: string; pricing: Pricing; count: number }

/**
 * The cloud seam. Every mutating call carries a `changeId` and is idempotent by it: repeating a
 * call with the same id returns the first result and has no second effect (a workflow step retried
 * after a crash must not launch twice).
 */
export interface CloudProvider {
  readonly kind: 'simulator' | 'aws' | 'gcp'
  /** Instances (running and recently terminated) and deployments of a customer. */
  listResources(customerId: string): Promise<{ instances: FleetInstance[]; deployments: FleetDeployment[] }>
  /** Current prices for a cloud region. */
  getPrices(cloud: Cloud, region: string): Promise<PriceQuote[]>
  /** What the customer was billed per instance over `[from, to)`. */
  getBill(customerId: string, from: Date, to: Date): Promise<BillLine[]>
  /** Launches `pool.count` instances for a deployment (not yet serving traffic). */
  launchInstances(req: { changeId: string; customerId: string; deploymentId: string; pool: PoolSpec }): Promise<ProviderResult<FleetInstance[]>>
  /** Terminates instances; already-terminated ones are fine. */
  terminateInstances(req: { changeId: string; customerId: string; instanceIds: string[] }): Promise<ProviderResult<{ terminated: string[] }>>
  /**
   * Adds instances launched for the deployment (pending or running, in no group or already stable)
   * to its stable group, which serves them once they run: how lost capacity is replaced in place.
   */
  addToStable(req: { changeId: string; customerId: string; deploymentId: string; instanceIds: string[] }): Promise<ProviderResult<FleetDeployment>>
  /** Creates or updates the canary group (instances + engine config) and its traffic weight 0–100. */
  setCanary(req: { changeId: string; customerId: string; deploymentId: string; group: ServingGroup; weight: number }): Promise<ProviderResult<FleetDeployment>>
  /** Makes the canary the stable group at 100%; returns the old stable instances (still running). */
  promoteCanary(req: { changeId: string; customerId: string; deploymentId: string }): Promise<ProviderResult<{ retiredInstanceIds: string[] }>>
  /** Sends all traffic back to stable at once and detaches the canary group; returns its instances. */
  abortCanary(req: { changeId: string; customerId: string; deploymentId: string }): Promise<ProviderResult<{ canaryInstanceIds: string[] }>>
}
