/**
 * Builders of AgentContexts for unit tests, the contract suite and the benchmark: fleets in the
 * provider's own shapes, priced from the catalog and the spot model, with no store or HTTP.
 */
import { HOURS_PER_MONTH, loadCatalog, type Catalog } from '../cloud/catalog/catalog.ts'
import { MODELS, type ModelId } from '../cloud/model/models.ts'
import { serve, vllmDefaultsFor, type EngineConfig, type ModelSpec, type TrafficProfile } from '../cloud/model/serving.ts'
import { spotPriceAt } from '../cloud/model/spot.ts'
import type { Cloud, FleetDeployment, FleetInstance, PriceQuote, Pricing, Slo } from '../cloud/provider.ts'
import { accuracy } from '../cloud/model/quality.ts'
import { hashString } from '../cloud/model/rng.ts'
import type { AgentContext, ObservedSignals, QualityProbe } from './agent.ts'
import { selectItems } from './application/probe.ts'

/** One deployment to build: a model on `count` instances of one type. */
export interface DeploymentSpec {
  id: string
  model: ModelId
  instanceType: string
  count: number
  cloud?: Cloud
  pricing?: Pricing
  rps: number
  amplitude?: number
  latencyCritical?: boolean
  slo?: Partial<Slo>
  config?: Partial<EngineConfig>
  traffic?: Partial<TrafficProfile>
}

/** The evaluation time used by the builders (fixed, so spot prices are reproducible). */
export const TEST_NOW = '2026-03-02T12:00:00.000Z'
/** The simulator seed whose spot prices the builders quote. */
export const TEST_SEED = 42

let catalogCache: Catalog | undefined
/** The catalog, loaded once per process. */
export function testCatalog(): Catalog {
  catalogCache ??= loadCatalog()
  return catalogCache
}

/** Current price quotes for every catalog entry, spot from the twin's spot model at `now`. */
export function quotesAt(catalog: Catalog, now: string, seed = TEST_SEED): PriceQuote[] {
  return catalog.entries.map((e) => ({
    cloud: e.cloud, region: e.region, instanceType: e.instanceType, gpuType: e.gpuType, gpuCount: e.gpuCount,
    onDemandHourlyUsd: e.onDemandHourlyUsd,
    ...(e.spot ? { spotHourlyUsd: spotPriceAt(e, new Date(now), seed), spotInterruptionRatePerHour: e.spot.interruptionRatePerHour } : {}),
  }))
}

function instancesOf(customerId: string, spec: DeploymentSpec, catalog: Catalog, now: string): FleetInstance[] {
  const cloud = spec.cloud ?? 'aws'
  const entry = catalog.entries.find((e) => e.cloud === cloud && e.instanceType === spec.instanceType)
  if (!entry) throw new Error(`unknown instance type ${spec.instanceType}`)
  const pricing = spec.pricing ?? 'on-demand'
  const hourly = pricing === 'spot' ? spotPriceAt(entry, new Date(now), TEST_SEED) : entry.onDemandHourlyUsd
  return Array.from({ length: spec.count }, (_, k) => ({
    id: `${spec.id}-i${k}`, customerId, cloud, region: entry.region, instanceType: entry.instanceType, gpuType: entry.gpuType,
    gpuCount: entry.gpuCount, pricing, state: 'running' as const, deploymentId: spec.id, group: 'stable' as const,
    launchedAt: '2026-01-01T00:00:00.000Z', terminatedAt: null, hourlyUsd: hourly, interruptionAt: null,
  }))
}

/** SLO like the simulator derives for a registered fleet: 1.5× today's modelled p95/p99, at least 1 s / 1.5 s. */
function sloFor(model: ModelSpec, config: EngineConfig, first: FleetInstance, count: number, traffic: TrafficProfile): Slo {
  const s = serve(model, config, { gpuType: first.gpuType, gpusPerInstance: first.gpuCount, instances: count, rps: traffic.baseRps, ...traffic })
  const up = (x: number) => Math.ceil(x / 100) * 100
  return { p95Ms: up(Math.max(1000, 1.5 * (s.fits ? s.e2eMs.p95 : 0))), p99Ms: up(Math.max(1500, 1.5 * (s.fits ? s.e2eMs.p99 : 0))), maxErrorRate: 0.001, minQuality: 0.8 }
}

function deploymentOf(customerId: string, spec: DeploymentSpec, instances: FleetInstance[]): FleetDeployment {
  const first = instances[0]!
  const model = MODELS[spec.model]
  const tp = Math.min(first.gpuCount, model.paramsB > 30 ? 8 : 1)
  const traffic: TrafficProfile = { baseRps: spec.rps, dailyAmplitude: spec.amplitude ?? 0, peakHourUtc: 15, promptTokensMean: 256, outputTokensMean: 48, prefixShare: 0.5, ...spec.traffic }
  const config: EngineConfig = { ...vllmDefaultsFor(first.gpuType), tensorParallelSize: tp, ...spec.config }
  return {
    id: spec.id, customerId, name: spec.id, cloud: first.cloud, region: first.region, model, traffic,
    latencyCritical: spec.latencyCritical ?? false,
    slo: { ...sloFor(model, config, first, instances.length, traffic), ...spec.slo },
    stable: { instanceIds: instances.map((i) => i.id), config },
    canary: null,
    endpoints: {
      vllmMetrics: { stable: `/sim/${spec.id}/stable/metrics`, canary: null },
      chat: { stable: `/sim/${spec.id}/stable/v1/chat/completions`, canary: null, router: `/sim/${spec.id}/v1/chat/completions` },
      dcgmMetrics: instances.map((i) => ({ instanceId: i.id, url: `/sim/instances/${i.id}/metrics` })),
    },
  }
}

/** An AgentContext over the given deployments (no telemetry unless `signals` is given). */
export function buildContext(specs: DeploymentSpec[], opts: { customerId?: string; now?: string; signals?: Record<string, ObservedSignals | null>; preferences?: AgentContext['preferences'] } = {}): AgentContext {
  const catalog = testCatalog()
  const customerId = opts.customerId ?? '00000000-0000-4000-8000-000000000001'
  const now = opts.now ?? TEST_NOW
  const instances: FleetInstance[] = []
  const deployments: FleetDeployment[] = []
  for (const spec of specs) {
    const own = instancesOf(customerId, spec, catalog, now)
    instances.push(...own)
    deployments.push(deploymentOf(customerId, spec, own))
  }
  return { customerId, now, preferences: opts.preferences ?? {}, fleet: { instances, deployments }, prices: quotesAt(catalog, now), signals: opts.signals ?? {}, catalog }
}

/** The seeds' `test_infrastructure` fixture: 2× p4d.24xlarge on-demand serving Llama-3-70B at 45 rps. */
export function seedFixtureContext(overrides: Partial<DeploymentSpec> = {}): AgentContext {
  return buildContext([{ id: 'vllm-prod-1', model: 'llama-3-70b', instanceType: 'p4d.24xlarge', count: 2, rps: 45, ...overrides }])
}

/** Monthly cost of a catalog type at on-demand, for expectations computed from the catalog. */
export function onDemandMonthly(instanceType: string, count: number, cloud: Cloud = 'aws'): number {
  const e = testCatalog().entries.find((x) => x.cloud === cloud && x.instanceType === instanceType)!
  return e.onDemandHourlyUsd * count * HOURS_PER_MONTH
}

/**
 * A probe that answers from the quality model instead of HTTP: an item is correct when its seeded
 * hash falls under the group's modelled accuracy. For unit tests and the benchmark only; the HTTP
 * probe is exercised against a real platform.
 */
export function modelProbe(ctx: Pick<AgentContext, 'fleet'>, opts: { failAll?: boolean; degradation?: number } = {}): QualityProbe {
  // indexed once: the fleet-scale bench probes tens of thousands of times
  const deployments = new Map(ctx.fleet.deployments.map((d) => [d.id, d]))
  const instances = new Map(ctx.fleet.instances.map((i) => [i.id, i]))
  return async (req) => {
    const dep = deployments.get(req.deploymentId)
    const items = selectItems(req)
    if (!dep || opts.failAll) return { deploymentId: req.deploymentId, group: req.group, endpoint: req.endpoint, prompts: items.length, answered: 0, errors: items.length, score: 0, items: [] }
    const config = req.group === 'canary' && dep.canary ? dep.canary.config : dep.stable.config
    const gpuType = instances.get(dep.stable.instanceIds[0]!)?.gpuType
    const p = accuracy(dep.model, config, { ...(gpuType ? { gpuType } : {}), degradation: req.group === 'canary' ? opts.degradation ?? 0 : 0 })
    const scored = items.map((i) => {
      const correct = hashString(`${dep.id}|${i.id}`) / 2 ** 32 < p
      return { id: i.id, correct, score: correct ? 1 : 0 }
    })
    return {
      deploymentId: dep.id, group: req.group, endpoint: req.endpoint, prompts: items.length, answered: items.length, errors: 0,
      score: scored.reduce((s, x) => s + x.score, 0) / scored.length, items: scored,
    }
  }
}
