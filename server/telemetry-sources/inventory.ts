/**
 * A fleet the cloud provider does not run, as its Prometheus shows it, turned into the inventory
 * the agents reason over: each node a GPU instance (type, GPUs and price from the catalog and the
 * price lists, capacity type from the node's labels), each deployment its model (sized from vLLM's
 * `model_name`) on the engine flags its servers report, vLLM's defaults for the rest (engine.ts). Nothing here is a guess the
 * agents then trust blindly: the request rate and request shape are left at zero and the
 * defaults, to be learned from telemetry (server/agents/workload.ts), and a deployment whose
 * telemetry shows no load is not judged (server/orchestrator/context.ts). Pure.
 */
import { findInstanceType, type Catalog, type CatalogEntry } from '../cloud/catalog/catalog.ts'
import { resolveModel } from '../cloud/model/match.ts'
import { DEFAULT_REQUEST_SHAPE, type TrafficProfile } from '../cloud/model/serving.ts'
import type { Cloud, FleetDeployment, FleetInstance, PriceQuote, Pricing } from '../cloud/provider.ts'
import { proposeFor, toProviderSlo, type SloSpec } from '../slo/slo.ts'
import type { DiscoveredDeployment, DiscoveredNode } from './cluster.ts'
import { judgedEngine, type ReportedFlag } from './engine.ts'

/** A discovered deployment the agents cannot reason about, and why. */
export interface Unresolved { deployment_id: string; reason: string }

/** The agents' inventory of the deployments a cluster shows, with the engine flags each deployment reported (the rest are vLLM's defaults). */
export interface ClusterInventory { instances: FleetInstance[]; deployments: FleetDeployment[]; unresolved: Unresolved[]; reported: Map<string, ReportedFlag[]> }

/**
 * What a discovered deployment is assumed to be until telemetry says otherwise. Rate zero: a
 * deployment is judged only on the load its telemetry shows. Latency-critical: a fleet that has
 * not said otherwise keeps on-demand capacity under it and gets interactive SLO proposals.
 */
export const DISCOVERED_PRIOR: { traffic: TrafficProfile; latencyCritical: boolean } = {
  traffic: { baseRps: 0, dailyAmplitude: 0, peakHourUtc: 0, ...DEFAULT_REQUEST_SHAPE },
  latencyCritical: true,
}

/** Endpoints of a deployment OptiInfra only sees through metrics: no chat endpoint to probe, no direct scrape. */
const NO_ENDPOINTS: FleetDeployment['endpoints'] = { vllmMetrics: { stable: '', canary: null }, chat: { stable: '', canary: null, router: '' }, dcgmMetrics: [] }

/** Whether a deployment is known only through its telemetry (no endpoint OptiInfra can call). */
export function seenOnlyThroughMetrics(d: Pick<FleetDeployment, 'endpoints'>): boolean {
  return d.endpoints.chat.stable === ''
}

/** The catalog entry of a node's instance type, in its region where the catalog prices that region. */
function entryOf(catalog: Catalog, node: DiscoveredNode): CatalogEntry | undefined {
  const type = node.instance_type
  if (!type) return undefined
  return catalog.entries.find((e) => e.instanceType === type && e.region === node.region)
    ?? (['aws', 'gcp'] as Cloud[]).map((c) => findInstanceType(catalog, c, type)).find((e) => e !== undefined)
}

/** The hourly price of an instance at its capacity type: the price list's, else the catalog's on-demand rate. */
export function hourlyPrice(quote: PriceQuote | undefined, entry: CatalogEntry, pricing: Pricing): number {
  const onDemand = quote?.onDemandHourlyUsd ?? entry.onDemandHourlyUsd
  if (pricing === 'spot') return quote?.spotHourlyUsd ?? onDemand
  if (pricing === 'reserved') return quote?.reserved1yHourlyUsd ?? onDemand
  return onDemand
}

interface Input {
  customerId: string
  fleet: DiscoveredDeployment[]
  catalog: Catalog
  prices: PriceQuote[]
  /** The customer's stored SLOs by deployment (declared or proposed). */
  slos: Map<string, SloSpec>
  now: Date
}

type Resolved = { ok: true; deployment: FleetDeployment; instances: FleetInstance[]; reported: ReportedFlag[] } | { ok: false; reason: string }

function instanceOf(input: Input, d: DiscoveredDeployment, node: DiscoveredNode, entry: CatalogEntry): FleetInstance {
  const region = node.region ?? entry.region
  const pricing = node.capacity_type ?? 'on-demand'
  const quote = input.prices.find((q) => q.cloud === entry.cloud && q.region === region && q.instanceType === entry.instanceType)
  return {
    id: node.instance_id ?? node.node, customerId: input.customerId, cloud: entry.cloud, region, instanceType: entry.instanceType,
    gpuType: entry.gpuType, gpuCount: entry.gpuCount, pricing, state: 'running', deploymentId: d.deployment_id, group: 'stable',
    // when the node started is not in kube-state-metrics' labels read here: the inventory is as of now
    launchedAt: input.now.toISOString(), terminatedAt: null, hourlyUsd: hourlyPrice(quote, entry, pricing), interruptionAt: null,
  }
}

function resolve(input: Input, d: DiscoveredDeployment): Resolved {
  if (!d.model_name) return { ok: false, reason: 'its vLLM series carry no model_name label' }
  const model = resolveModel(d.model_name)
  if (!model.ok) return { ok: false, reason: model.message }
  if (d.nodes.length === 0) return { ok: false, reason: 'kube-state-metrics shows no node serving it (pods labelled optiinfra.io/deployment)' }
  const entries = d.nodes.map((n) => entryOf(input.catalog, n))
  const unknown = d.nodes.find((_, i) => !entries[i])
  if (unknown) return { ok: false, reason: `node ${unknown.node}'s instance type ${unknown.instance_type ?? '(no node.kubernetes.io/instance-type label)'} is not in the price catalog` }
  const first = entries[0]!
  const engine = judgedEngine(model.model, first.gpuType, first.gpuCount, d.engine)
  if (!engine) return { ok: false, reason: `${model.model.name} does not fit on ${first.instanceType} (${first.gpuCount}× ${first.gpuType})` }
  const instances = d.nodes.map((n, i) => instanceOf(input, d, n, entries[i]!))
  const base = { latencyCritical: DISCOVERED_PRIOR.latencyCritical, traffic: DISCOVERED_PRIOR.traffic }
  const slo = toProviderSlo(input.slos.get(d.deployment_id) ?? proposeFor(base))
  const deployment: FleetDeployment = {
    id: d.deployment_id, customerId: input.customerId, name: d.deployment_id, cloud: instances[0]!.cloud, region: instances[0]!.region,
    model: model.model, ...base, slo, stable: { instanceIds: instances.map((i) => i.id), config: engine.config },
    // a rollout under way (canary pods) leaves the deployment settling; its groups' nodes are not told apart here
    canary: d.pods.canary > 0 ? { instanceIds: [], config: engine.config, weight: 0 } : null,
    endpoints: NO_ENDPOINTS,
  }
  return { ok: true, deployment, instances, reported: engine.reported }
}

/** The inventory of every discovered deployment not in `known` (the provider's own deployments). */
export function inventoryFromCluster(input: Input, known: Set<string>): ClusterInventory {
  const out: ClusterInventory = { instances: [], deployments: [], unresolved: [], reported: new Map() }
  for (const d of input.fleet) {
    if (known.has(d.deployment_id) || out.deployments.some((x) => x.id === d.deployment_id)) continue
    const r = resolve(input, d)
    if (!r.ok) { out.unresolved.push({ deployment_id: d.deployment_id, reason: r.reason }); continue }
    out.deployments.push(r.deployment)
    out.instances.push(...r.instances)
    out.reported.set(r.deployment.id, r.reported)
  }
  return out
}
