/**
 * The simulated cloud: the first CloudProvider, stateful in the store (a restart — even kill -9 —
 * resumes the same fleet) and driven by the injected Clock. Provider methods are idempotent by
 * changeId; simulator-only methods register fleets, inject faults, serve the protocol endpoints
 * and report run-rates. Each operation lives in its own module; this class wires them.
 */
import type { Logger } from 'pino'
import type { Clock } from '../../clock.ts'
import type { Db } from '../../db/db.ts'
import type { LiveHub } from '../../http/live.ts'
import type { Service } from '../../services.ts'
import { commitmentFor, HOURS_PER_MONTH, loadCatalog, type Catalog } from '../catalog/catalog.ts'
import { spotPriceAt } from '../model/spot.ts'
import type { BillLine, Cloud, CloudProvider, FleetDeployment, FleetInstance, GroupRole, PoolSpec, PriceQuote, ProviderResult, ServingGroup, Slo } from '../provider.ts'
import { billLines, hourlyRunRateUsd, runRateSeries, type RunRatePoint } from './billing.ts'
import { abortCanary, promoteCanary, setCanary } from './canary.ts'
import { servesAcrossClouds, transferLines } from './egress.ts'
import { chatCompletion, type ChatRequest, type ChatResult } from './chat.ts'
import { isCustomerId, type SimContext } from './context.ts'
import { toFleetDeployment } from './deployments.ts'
import { clearFault, injectFault, listCustomerFaults, type FaultInput } from './fault-ops.ts'
import type { Fault } from './faults.ts'
import { toFleetInstance } from './instances.ts'
import { launchInstances, terminateInstances } from './launch.ts'
import { registerFleet, type RegisteredFleet } from './register.ts'
import type { FleetSpec } from './register-plan.ts'
import { addToStable } from './stable.ts'
import { scrapeClusterState, scrapeDcgm, scrapeVllm, type ScrapeResult } from './scrape.ts'
import { groupServingAt, type GroupServing } from './serving-view.ts'
import { instancesOfDeployment, listDeployments, listEvents, listInstances, updateSlo, type SimEvent } from './store.ts'
import { processInterruptions, simulatorTicker, type InterruptionNotice } from './ticker.ts'

/** How long terminated instances stay in listResources (the bill keeps them forever). */
export const TERMINATED_VISIBLE_MS = 7 * 86_400_000

/** Dependencies of the simulator. */
export interface SimulatorOptions { db: Db; clock: Clock; seed: number; variation?: boolean; catalog?: Catalog; live?: LiveHub; log?: Logger }

/** The simulated AWS/GCP GPU cloud. */
export class Simulator implements CloudProvider {
  readonly kind = 'simulator' as const
  readonly ctx: SimContext
  private readonly log: Logger | undefined

  constructor(opts: SimulatorOptions) {
    this.ctx = { db: opts.db, clock: opts.clock, seed: opts.seed, variation: opts.variation === true, catalog: opts.catalog ?? loadCatalog(), ...(opts.live ? { live: opts.live } : {}) }
    this.log = opts.log
  }

  /** The price catalog the simulator bills from. */
  get catalog(): Catalog { return this.ctx.catalog }

  async listResources(customerId: string): Promise<{ instances: FleetInstance[]; deployments: FleetDeployment[] }> {
    if (!isCustomerId(customerId)) return { instances: [], deployments: [] }
    const now = this.ctx.clock.now()
    const [rows, deployments] = await Promise.all([listInstances(this.ctx.db, customerId), listDeployments(this.ctx.db, customerId)])
    const visible = rows.filter((r) => !r.terminated_at || now.getTime() - r.terminated_at.getTime() < TERMINATED_VISIBLE_MS)
    return {
      instances: visible.map((r) => toFleetInstance(this.ctx.catalog, r, now, this.ctx.seed)),
      deployments: deployments.map((d) => toFleetDeployment(d, rows, now)),
    }
  }

  async getPrices(cloud: Cloud, region: string): Promise<PriceQuote[]> {
    const now = this.ctx.clock.now()
    return this.ctx.catalog.entries.filter((e) => e.cloud === cloud && e.region === region).map((e) => ({
      cloud: e.cloud, region: e.region, instanceType: e.instanceType, gpuType: e.gpuType, gpuCount: e.gpuCount,
      onDemandHourlyUsd: e.onDemandHourlyUsd,
      ...(e.spot ? { spotHourlyUsd: spotPriceAt(e, now, this.ctx.seed), spotInterruptionRatePerHour: e.spot.interruptionRatePerHour } : {}),
      reserved1yHourlyUsd: e.onDemandHourlyUsd * (1 - commitmentFor(e, '1y').discount),
      reserved3yHourlyUsd: e.onDemandHourlyUsd * (1 - commitmentFor(e, '3y').discount),
    }))
  }

  async getBill(customerId: string, from: Date, to: Date): Promise<BillLine[]> {
    if (!isCustomerId(customerId) || !(to.getTime() > from.getTime())) return []
    const [rows, deployments] = await Promise.all([listInstances(this.ctx.db, customerId), listDeployments(this.ctx.db, customerId)])
    const compute = billLines(this.ctx.catalog, rows, from, to, this.ctx.seed)
    if (!servesAcrossClouds(deployments, rows, from, to)) return compute
    return [...compute, ...transferLines(this.ctx.catalog, deployments, rows, await listCustomerFaults(this.ctx, customerId), from, to)]
  }

  launchInstances(req: { changeId: string; customerId: string; deploymentId: string; pool: PoolSpec }): Promise<ProviderResult<FleetInstance[]>> {
    return launchInstances(this.ctx, req)
  }

  terminateInstances(req: { changeId: string; customerId: string; instanceIds: string[] }): Promise<ProviderResult<{ terminated: string[] }>> {
    return terminateInstances(this.ctx, req)
  }

  addToStable(req: { changeId: string; customerId: string; deploymentId: string; instanceIds: string[] }): Promise<ProviderResult<FleetDeployment>> {
    return addToStable(this.ctx, req)
  }

  setCanary(req: { changeId: string; customerId: string; deploymentId: string; group: ServingGroup; weight: number }): Promise<ProviderResult<FleetDeployment>> {
    return setCanary(this.ctx, req)
  }

  promoteCanary(req: { changeId: string; customerId: string; deploymentId: string }): Promise<ProviderResult<{ retiredInstanceIds: string[] }>> {
    return promoteCanary(this.ctx, req)
  }

  abortCanary(req: { changeId: string; customerId: string; deploymentId: string }): Promise<ProviderResult<{ canaryInstanceIds: string[] }>> {
    return abortCanary(this.ctx, req)
  }

  // ---- simulator-only ----

  /** Materializes a fleet in the seeds' fixture shape; idempotent by ids; throws catalog errors. */
  registerFleet(customerId: string, spec: FleetSpec): Promise<RegisteredFleet> {
    return registerFleet(this.ctx, customerId, spec)
  }

  /** Keeps the simulated deployment's SLO equal to the one the customer declared on the platform; false if no such deployment. */
  setSlo(customerId: string, deploymentId: string, slo: Slo): Promise<boolean> {
    return isCustomerId(customerId) ? updateSlo(this.ctx.db, customerId, deploymentId, slo, this.ctx.clock.now()) : Promise.resolve(false)
  }

  /** Σ current hourly price of the running instances × 730 (the bill's run-rate, USD/month). */
  async monthlyRunRateUsd(customerId: string, at: Date = this.ctx.clock.now()): Promise<number> {
    if (!isCustomerId(customerId)) return 0
    return hourlyRunRateUsd(this.ctx.catalog, await listInstances(this.ctx.db, customerId), at, this.ctx.seed) * HOURS_PER_MONTH
  }

  /** Run-rate at each step of [from, to] from the instance history (terminated instances count while they ran). */
  async runRateSeries(customerId: string, from: Date, to: Date, stepMs: number): Promise<RunRatePoint[]> {
    const rows = isCustomerId(customerId) ? await listInstances(this.ctx.db, customerId) : []
    return runRateSeries(this.ctx.catalog, rows, from, to, stepMs, this.ctx.seed)
  }

  /** How a deployment group serves at `at` (model stats under faults), for agents' predictions and tests. */
  async servingStats(customerId: string, deploymentId: string, group: GroupRole, at: Date = this.ctx.clock.now()): Promise<GroupServing | null> {
    if (!isCustomerId(customerId)) return null
    const [d] = await listDeployments(this.ctx.db, customerId, deploymentId)
    if (!d) return null
    const rows = await instancesOfDeployment(this.ctx.db, customerId, deploymentId)
    return groupServingAt(d, rows, await listCustomerFaults(this.ctx, customerId), group, at)
  }

  /** Processes what the cloud does on its own up to now (spot interruption notices). */
  tick(): Promise<InterruptionNotice[]> {
    return processInterruptions(this.ctx, this.ctx.clock.now())
  }

  /** The background service that calls `tick` on the platform clock. */
  ticker(): Service {
    return simulatorTicker(() => this.tick(), this.ctx, this.log)
  }

  /** The cloud's own events for a customer (interruption notices, reclaims), oldest first. */
  events(customerId: string): Promise<SimEvent[]> {
    return isCustomerId(customerId) ? listEvents(this.ctx.db, customerId) : Promise.resolve([])
  }

  injectFault(input: FaultInput): Promise<Fault> { return injectFault(this.ctx, input) }
  listFaults(customerId: string, activeOnly = false): Promise<Fault[]> { return listCustomerFaults(this.ctx, customerId, activeOnly) }
  clearFault(id: string): Promise<Fault> { return clearFault(this.ctx, id) }

  /** vLLM /metrics families of a deployment group. */
  scrapeVllm(customerId: string, deploymentId: string, group: GroupRole): Promise<ScrapeResult> {
    return scrapeVllm(this.ctx, customerId, deploymentId, group)
  }

  /** DCGM-exporter /metrics families of an instance. */
  scrapeDcgm(customerId: string, instanceId: string): Promise<ScrapeResult> {
    return scrapeDcgm(this.ctx, customerId, instanceId)
  }

  /** kube-state-metrics /metrics of the customer's simulated cluster. */
  scrapeClusterState(customerId: string): Promise<ScrapeResult> {
    return scrapeClusterState(this.ctx, customerId)
  }

  /** An OpenAI chat completion from a group, or through the weighted router when `group` is null. */
  chat(customerId: string, deploymentId: string, group: GroupRole | null, req: ChatRequest): Promise<ChatResult> {
    return chatCompletion(this.ctx, customerId, deploymentId, group, req)
  }
}
