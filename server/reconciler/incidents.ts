/**
 * Incidents: a deployment with no serving instance is `down`; one whose measured signals break its
 * SLO is `slo_violation`. Opening and resolving are audited (`incident:opened` / `incident:resolved`,
 * which the notification dispatcher sends) and published live; one incident per kind stays open.
 */
import type { FleetDeployment, FleetInstance } from '../cloud/provider.ts'
import { recordAudit } from '../audit/store.ts'
import { sloBreaches, type DeploymentSlo } from '../slo/slo.ts'
import type { DeploymentSignals } from '../telemetry/signals.ts'
import { RECONCILER_ACTOR, type ReconcilerDeps } from './act.ts'
import { isDown, observe } from './drift.ts'
import { openIncident, resolveIncident, type Incident } from './store.ts'

/** The incident conditions of a deployment now: kind → reason, for those that hold. Pure. */
export function incidentConditions(d: FleetDeployment, instances: FleetInstance[], slo: DeploymentSlo, signals: DeploymentSignals | null): Map<Incident['kind'], string> {
  const out = new Map<Incident['kind'], string>()
  if (isDown(d, instances)) {
    const noticed = observe(d, instances).noticed.length
    out.set('down', `no instance of ${d.id} is serving${noticed ? ` (${noticed} under interruption notice)` : ''}; its endpoint answers 503`)
    return out // a down deployment's latency says nothing more
  }
  const breaches = signals ? sloBreaches(slo, signals) : []
  if (breaches.length > 0) out.set('slo_violation', `${d.id} violates its ${slo.source} SLO: ${breaches.join(', ')}`)
  return out
}

async function announce(deps: ReconcilerDeps, i: Incident, what: 'opened' | 'resolved'): Promise<void> {
  const at = deps.clock.now()
  await recordAudit(deps.db, deps.clock, {
    customerId: i.customerId, actor: RECONCILER_ACTOR, action: `incident:${what}`, subjectType: 'deployment', subjectId: i.deploymentId,
    detail: { incident_id: i.id, kind: i.kind, reason: i.reason, opened_at: i.openedAt.toISOString() },
  })
  await deps.live.publish({ type: `incident:${what}`, customerId: i.customerId, id: i.id, at: at.toISOString(), data: { deployment_id: i.deploymentId, kind: i.kind, reason: i.reason } }).catch(() => undefined)
}

/**
 * Opens incidents whose condition holds and resolves those whose condition ended. `open` is the
 * kinds open for the deployment at the start of the pass, so a steady deployment costs no write;
 * the store's statements stay conditional, so a stale `open` never opens a second incident.
 */
export async function checkIncidents(deps: ReconcilerDeps, customerId: string, d: FleetDeployment, instances: FleetInstance[], slo: DeploymentSlo, signals: DeploymentSignals | null, open: ReadonlySet<Incident['kind']>): Promise<void> {
  const now = deps.clock.now()
  const conditions = incidentConditions(d, instances, slo, signals)
  for (const kind of ['down', 'slo_violation'] as const) {
    const reason = conditions.get(kind)
    if (Boolean(reason) === open.has(kind)) continue
    const changed = reason
      ? await openIncident(deps.db, { customerId, deploymentId: d.id, kind, reason }, now)
      : await resolveIncident(deps.db, customerId, d.id, kind, now)
    if (changed) await announce(deps, changed, reason ? 'opened' : 'resolved')
  }
}
