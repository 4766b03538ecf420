/**
 * Onboarding use cases: start onboarding a cloud account, discover its fleet through the
 * CloudProvider (pending → discovering → discovered), register a fleet directly, and show the
 * infrastructure. Every discovery ends with all four agents analysing the fleet.
 */
import type { FleetSpec } from '../cloud/index.ts'
import type { Cloud } from '../cloud/provider.ts'
import { recordAudit } from '../audit/store.ts'
import { updateCustomer } from '../customers/store.ts'
import type { Deps } from '../deps.ts'
import { readSignalsByDeployment } from '../telemetry/signals.ts'
import { startAnalysis } from '../recommendations/analyze.ts'
import { AGENT_TYPES } from '../recommendations/recommendation.ts'
import { deploymentWindows, judgedFleet, SIGNAL_WINDOW_MS, type JudgedFleet } from '../orchestrator/context.ts'
import { bundledCatalog } from '../cloud/catalog/catalog.ts'
import { accountFleet, presentDeployment, presentInstance, type OnboardRequest } from './onboarding.ts'
import { customersWithoutOnboarding, getOnboarding, setDiscovery, upsertOnboarding, type OnboardingRow } from './store.ts'
import { ensureFleetDesired, presentDesired } from '../desired/fleet.ts'
import { customerPreferences } from '../optimizations/store.ts'

type OnboardingDeps = Pick<Deps, 'db' | 'clock' | 'cloud' | 'registry' | 'live' | 'log'>

async function publish(deps: OnboardingDeps, customerId: string, row: OnboardingRow | undefined): Promise<void> {
  if (!row) return
  await deps.live.publish({ type: 'onboarding:discovery:updated', customerId, data: { status: row.status, error: row.error }, at: deps.clock.now().toISOString() }).catch(() => undefined)
}

/** Records the account and marks discovery pending (the caller starts `runDiscovery`). */
export async function startOnboarding(deps: OnboardingDeps, customerId: string, req: OnboardRequest, actor: string): Promise<OnboardingRow> {
  const row = await deps.db.tx(async (tx) => {
    const r = await upsertOnboarding(tx, {
      customer_id: customerId, cloud_provider: req.cloud_provider, region: req.region, iam_role_arn: req.iam_role_arn ?? null,
      project_id: req.project_id ?? null, source: 'onboard', status: 'pending',
    }, deps.clock.now())
    await updateCustomer(tx, customerId, { cloud_provider: req.cloud_provider })
    await recordAudit(tx, deps.clock, { customerId, actor, action: 'onboarding:started', subjectType: 'customer', subjectId: customerId, detail: { cloud_provider: req.cloud_provider, region: req.region } })
    return r
  })
  await publish(deps, customerId, row)
  return row
}

/**
 * Discovers the fleet of an onboarded account. The simulated cloud provisions the seeds' fleet for
 * an account it has no fleet for yet; a real provider would only list. Failures are recorded on the
 * onboarding row (status failed, with the reason), never thrown.
 */
export async function runDiscovery(deps: OnboardingDeps, customerId: string): Promise<OnboardingRow | undefined> {
  const started = await setDiscovery(deps.db, customerId, { status: 'discovering', from: ['pending', 'discovering', 'failed'] }, deps.clock.now())
  if (!started) return getOnboarding(deps.db, customerId)
  await publish(deps, customerId, started)
  try {
    let fleet = await deps.cloud.listResources(customerId)
    if (deps.cloud.kind === 'simulator' && fleet.deployments.length === 0) {
      await deps.registry.registerFleet(customerId, accountFleet(customerId, started.cloud_provider, started.region))
      fleet = await deps.cloud.listResources(customerId)
    }
    const live = fleet.instances.filter((i) => i.state !== 'terminated')
    const done = await setDiscovery(deps.db, customerId, { status: 'discovered', instances: live.length, deployments: fleet.deployments.length }, deps.clock.now())
    await recordAudit(deps.db, deps.clock, { customerId, actor: 'orchestrator', action: 'onboarding:discovered', subjectType: 'customer', subjectId: customerId, detail: { instances: live.length, deployments: fleet.deployments.length } })
    await publish(deps, customerId, done)
    await ensureFleetDesired(deps, customerId, fleet)
    await startAnalysis(deps, { customerId, agentTypes: [...AGENT_TYPES], trigger: 'discovery', analysisType: null, requestedBy: 'orchestrator' })
    return done
  } catch (err) {
    deps.log.warn({ err, customerId }, 'discovery failed')
    const failed = await setDiscovery(deps.db, customerId, { status: 'failed', error: err instanceof Error ? err.message : String(err) }, deps.clock.now())
    await publish(deps, customerId, failed)
    return failed
  }
}

/** Registers a fleet directly (seed fixture shape): the cloud materializes it, discovery is done, agents analyse it. */
export async function registerInfrastructure(deps: OnboardingDeps, customerId: string, spec: FleetSpec, actor: string): Promise<OnboardingRow> {
  const fleet = await deps.registry.registerFleet(customerId, spec)
  const first = fleet.instances[0]
  const existing = await getOnboarding(deps.db, customerId)
  const all = await deps.cloud.listResources(customerId)
  const cloud: Cloud = existing?.cloud_provider ?? first?.cloud ?? 'aws'
  const row = await deps.db.tx(async (tx) => {
    await upsertOnboarding(tx, {
      customer_id: customerId, cloud_provider: cloud, region: existing?.region ?? first?.region ?? 'us-east-1',
      iam_role_arn: existing?.iam_role_arn ?? null, project_id: existing?.project_id ?? null, source: existing?.source ?? 'registered', status: 'discovered',
    }, deps.clock.now())
    const r = await setDiscovery(tx, customerId, { status: 'discovered', instances: all.instances.filter((i) => i.state !== 'terminated').length, deployments: all.deployments.length }, deps.clock.now())
    await recordAudit(tx, deps.clock, { customerId, actor, action: 'infrastructure:registered', subjectType: 'customer', subjectId: customerId, detail: { instances: fleet.instances.length, deployments: fleet.deployments.length } })
    return r!
  })
  await publish(deps, customerId, row)
  await ensureFleetDesired(deps, customerId, all)
  await startAnalysis(deps, { customerId, agentTypes: [...AGENT_TYPES], trigger: 'discovery', analysisType: null, requestedBy: actor })
  return row
}

/**
 * Adopts fleets that exist in the cloud without an onboarding (the demo fleet seeded at start-up):
 * they count as discovered and the agents analyse them, as after any discovery.
 */
export async function adoptExistingFleets(deps: OnboardingDeps): Promise<string[]> {
  const adopted: string[] = []
  for (const customerId of await customersWithoutOnboarding(deps.db)) {
    const fleet = await deps.cloud.listResources(customerId)
    const first = fleet.instances.find((i) => i.state !== 'terminated')
    if (!first || fleet.deployments.length === 0) continue
    await deps.db.tx(async (tx) => {
      await upsertOnboarding(tx, { customer_id: customerId, cloud_provider: first.cloud, region: first.region, iam_role_arn: null, project_id: null, source: 'registered', status: 'discovered' }, deps.clock.now())
      await setDiscovery(tx, customerId, { status: 'discovered', instances: fleet.instances.filter((i) => i.state !== 'terminated').length, deployments: fleet.deployments.length }, deps.clock.now())
    })
    await startAnalysis(deps, { customerId, agentTypes: [...AGENT_TYPES], trigger: 'discovery', analysisType: null, requestedBy: 'orchestrator' })
    adopted.push(customerId)
  }
  return adopted
}

type Signals = Awaited<ReturnType<typeof readSignalsByDeployment>>

/**
 * The deployments only a connected Prometheus shows (the provider does not run them), as the agents
 * see them: advice only, no desired state; with their instances and observed signals.
 */
function advisoryOf(fleet: JudgedFleet, signals: Signals) {
  const seen = fleet.deployments.filter((d) => fleet.discovered.has(d.id))
  const instances = fleet.instances.filter((i) => i.deploymentId !== null && fleet.discovered.has(i.deploymentId))
  return {
    advisory_instances: instances.map(presentInstance),
    advisory_deployments: seen.map((d) => {
      const observed = signals.get(d.id) ?? null
      // no registration declares a rate: the one shown is the measured one
      return { ...presentDeployment(d, instances, observed), requests_per_second: observed?.throughputRps ?? null, seen_via: 'prometheus' as const }
    }),
  }
}

/** The customer's infrastructure as the API shows it: discovery status, live instances and deployments. */
export async function infrastructureOf(deps: Pick<Deps, 'db' | 'clock' | 'cloud'>, customerId: string) {
  const row = await getOnboarding(deps.db, customerId)
  const status = row?.status ?? 'pending'
  const now = deps.clock.now()
  // one read of the provider and the connected sources serves both the managed and the advisory part
  const judged = await judgedFleet(deps, customerId, { catalog: bundledCatalog(), prices: [], now })
  const signals = await readSignalsByDeployment(deps.db, customerId, judged.deployments.map((d) => d.id), { from: new Date(now.getTime() - SIGNAL_WINDOW_MS), to: now }, 'stable')
  const advisory = advisoryOf(judged, signals)
  if (status !== 'discovered') {
    return { status, cloud_provider: row?.cloud_provider ?? null, region: row?.region ?? null, error: row?.error ?? null, discovered_at: null, instances: [], vllm_deployments: [], ...advisory }
  }
  const managed = (id: string | null) => id === null || !judged.discovered.has(id)
  const fleet = { instances: judged.instances.filter((i) => managed(i.deploymentId)), deployments: judged.deployments.filter((d) => managed(d.id)) }
  const live = fleet.instances.filter((i) => i.state !== 'terminated')
  const [desired, prefs] = await Promise.all([ensureFleetDesired(deps, customerId, fleet), customerPreferences(deps.db, customerId)])
  const windows = await deploymentWindows(deps.db, customerId, fleet.deployments, now)
  const deployments = fleet.deployments.map((d) => ({
    ...presentDeployment(d, live, signals.get(d.id) ?? null), ...presentDesired(desired.get(d.id)!, prefs, d, fleet.instances),
    // agents leave a deployment alone while a change rolls out and just after it (server/orchestrator/settle.ts)
    settling: windows.get(d.id)!.settling,
  }))
  return {
    status, cloud_provider: row!.cloud_provider, region: row!.region, error: null, discovered_at: row!.discovered_at ? new Date(row!.discovered_at).toISOString() : null,
    instances: live.map(presentInstance), vllm_deployments: deployments, ...advisory,
  }
}
