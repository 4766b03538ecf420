/**
 * Builds the AgentContext for a customer from the platform: the cloud's inventory and price
 * lists, the scraped telemetry of each deployment, and the customer's preferences. The data part
 * is JSON (sent to agent processes over HTTP); catalog and probe are attached where the agent runs.
 */
import type { Catalog } from '../cloud/catalog/catalog.ts'
import type { Cloud, FleetDeployment, FleetInstance, PriceQuote } from '../cloud/provider.ts'
import { getCustomer } from '../customers/store.ts'
import type { Deps } from '../deps.ts'
import { seriesByDeployment } from '../telemetry/metrics-store.ts'
import { readSignalsByDeployment } from '../telemetry/signals.ts'
import { listSources, type SourceRow } from '../telemetry-sources/store.ts'
import { inventoryFromCluster } from '../telemetry-sources/inventory.ts'
import { listSlos } from '../slo/store.ts'
import type { AgentContext, HourlyRate, ObservedSignals, QualityProbe, Settling } from '../agents/agent.ts'
import type { Db } from '../db/db.ts'
import { changeActivity } from '../workflows/optimization.ts'
import { activityOf, deploymentWindow, type DeploymentWindow } from './settle.ts'

/** The JSON-serializable part of an AgentContext. */
export type AgentContextData = Omit<AgentContext, 'catalog' | 'probe'>

/** Telemetry window agents judge a deployment by (clock time): long enough for tens of scrapes. */
export const SIGNAL_WINDOW_MS = 15 * 60_000

/** Every (cloud, region) the catalog prices, so agents can compare placements across clouds. */
export function pricedRegions(catalog: Catalog): { cloud: Cloud; region: string }[] {
  const seen = new Map<string, { cloud: Cloud; region: string }>()
  for (const e of catalog.entries) seen.set(`${e.cloud}|${e.region}`, { cloud: e.cloud, region: e.region })
  return [...seen.values()]
}

/** Each deployment's signal window at `now` (server/orchestrator/settle.ts): from its last change's end, settling or not. */
export async function deploymentWindows(db: Db, customerId: string, deployments: FleetDeployment[], now: Date): Promise<Map<string, DeploymentWindow>> {
  const activity = await changeActivity(db, customerId)
  return new Map(deployments.map((d) => [d.id, deploymentWindow(now, SIGNAL_WINDOW_MS, activityOf(d.canary !== null, activity.get(d.id)))]))
}

/** Each deployment's stable-group signals over its window, and which deployments are settling. */
async function signalsOf(deps: Pick<Deps, 'db'>, customerId: string, deployments: FleetDeployment[], now: Date) {
  const windows = await deploymentWindows(deps.db, customerId, deployments, now)
  // one read per distinct window (all deployments share one, except those settling after a change)
  const byWindow = new Map<string, { window: DeploymentWindow; ids: string[] }>()
  for (const d of deployments) {
    const w = windows.get(d.id)!
    const key = `${w.from.getTime()}-${w.to.getTime()}`
    byWindow.set(key, { window: w, ids: [...(byWindow.get(key)?.ids ?? []), d.id] })
  }
  const read = await Promise.all([...byWindow.values()].map(({ window, ids }) => readSignalsByDeployment(deps.db, customerId, ids, window, 'stable')))
  const measured = new Map(read.flatMap((m) => [...m]))
  const signals: Record<string, ObservedSignals | null> = {}
  const from: Record<string, string> = {}
  const settling: Record<string, Settling> = {}
  for (const d of deployments) {
    const w = windows.get(d.id)!
    signals[d.id] = measured.get(d.id) ?? null
    from[d.id] = w.from.toISOString()
    if (w.settling) settling[d.id] = w.settling
  }
  return { signals, from, settling }
}

/** How far back the day's shape is read: one day of hourly buckets. */
export const DAILY_WINDOW_MS = 24 * 3_600_000

/** Each deployment's request rate (stable and canary together) per hour over the last day. */
async function dailyOf(deps: Pick<Deps, 'db'>, customerId: string, deploymentIds: string[], now: Date): Promise<Record<string, HourlyRate[]>> {
  const window = { customerId, from: new Date(now.getTime() - DAILY_WINDOW_MS), to: now, stepMs: 3_600_000 }
  const series = await seriesByDeployment(deps.db, 'throughput_rps', 'sum', window, deploymentIds)
  return Object.fromEntries(deploymentIds.map((id) => [id, (series.get(id) ?? []).map((p) => ({ at: p.at.toISOString(), rps: p.value }))]))
}

/** The fleet the agents judge, and which of its deployments only a connected Prometheus shows. */
export interface JudgedFleet { instances: FleetInstance[]; deployments: FleetDeployment[]; discovered: Set<string> }

/**
 * The fleet the agents judge: the provider's inventory, and the deployments a connected
 * Prometheus shows that the provider does not run (a fleet OptiInfra reads but does not launch).
 * Instances are priced from `prices`, else at the catalog's on-demand rate.
 */
export async function judgedFleet(deps: Pick<Deps, 'db' | 'cloud'>, customerId: string, o: { catalog: Catalog; prices: PriceQuote[]; now: Date; sources?: SourceRow[] }): Promise<JudgedFleet> {
  const [provider, sources] = await Promise.all([deps.cloud.listResources(customerId), o.sources ?? listSources(deps.db, customerId)])
  const known = new Set(provider.deployments.map((d) => d.id))
  const slos = sources.length ? await listSlos(deps.db, customerId) : new Map()
  const seen = inventoryFromCluster({ customerId, fleet: sources.flatMap((s) => s.fleet), catalog: o.catalog, prices: o.prices, slos, now: o.now }, known)
  return { instances: [...provider.instances, ...seen.instances], deployments: [...provider.deployments, ...seen.deployments], discovered: new Set(seen.deployments.map((d) => d.id)) }
}

/**
 * A deployment known only from its telemetry has no registered load to fall back on: it waits for
 * telemetry in its window. A measured rate of zero is judged (idle capacity is worth reporting); no
 * measurement at all would read as one.
 */
function awaitingLoad(signals: ObservedSignals | null, at: Date): Settling | null {
  if ((signals?.samples ?? 0) > 0) return null
  return { since: at.toISOString(), until: null, reason: 'it was discovered through Prometheus and no telemetry of it is in the window yet; it is judged once there is' }
}

/** Reads everything an agent needs about one customer, now. */
export async function buildContextData(deps: Pick<Deps, 'db' | 'clock' | 'cloud'>, customerId: string, catalog: Catalog): Promise<AgentContextData> {
  const now = deps.clock.now()
  const [sources, customer] = await Promise.all([listSources(deps.db, customerId), getCustomer(deps.db, customerId)])
  const prices: PriceQuote[] = []
  for (const r of pricedRegions(catalog)) prices.push(...(await deps.cloud.getPrices(r.cloud, r.region)))
  const { discovered, ...fleet } = await judgedFleet(deps, customerId, { catalog, prices, now, sources })
  const ids = fleet.deployments.map((d) => d.id)
  const [{ signals, from, settling }, daily] = [await signalsOf(deps, customerId, fleet.deployments, now), await dailyOf(deps, customerId, ids, now)]
  for (const id of discovered) {
    const waiting = settling[id] ? null : awaitingLoad(signals[id] ?? null, now)
    if (waiting) settling[id] = waiting
  }
  const telemetry = { windowFrom: new Date(now.getTime() - SIGNAL_WINDOW_MS).toISOString(), windowTo: now.toISOString(), from, via: telemetryVia(sources) }
  return { customerId, now: now.toISOString(), preferences: customer?.preferences ?? {}, fleet, prices, signals, daily, telemetry, settling }
}

/** The connected source each deployment's telemetry comes from (the deployments its last poll found). */
function telemetryVia(sources: SourceRow[]): Record<string, string> {
  const via: Record<string, string> = {}
  for (const s of sources) for (const d of s.deployments) via[d] ??= `Prometheus ${s.url}`
  return via
}

/** Attaches what travels by code, not by wire: the catalog and (for the application agent) the probe. */
export function hydrateContext(data: AgentContextData, catalog: Catalog, probe?: QualityProbe): AgentContext {
  return { ...data, catalog, ...(probe ? { probe } : {}) }
}
