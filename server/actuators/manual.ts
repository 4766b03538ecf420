/**
 * The advisory actuator: OptiInfra never touches the fleet; each step records what a human must
 * apply (shown in the portal and the API) and completes once the fleet shows it — the same
 * verification the GitOps actuator uses, from what the provider reports.
 */
import type { Clock } from '../clock.ts'
import type { Db } from '../db/db.ts'
import type { CloudProvider, FleetDeployment } from '../cloud/provider.ts'
import { aborted, applied, promoted, stateOf, withCanary, type Actuation, type ActuationRequest, type Actuator, type DeploymentState } from './actuator.ts'
import { vllmArgs } from './layouts.ts'
import { markApplied, recordAction } from './store.ts'

export interface ManualActuatorDeps { db: Db; clock: Clock; cloud: CloudProvider; actuatorId: string }

/** What a human reads: the groups, their vLLM arguments and the traffic split. */
export function instructionFor(label: string, s: DeploymentState): string {
  const group = (role: string, g: { instanceIds: string[]; config: DeploymentState['stable']['config'] }) =>
    `${role}: ${g.instanceIds.length} instance(s) [${g.instanceIds.join(', ')}], vLLM ${vllmArgs(g.config).join(' ')}`
  const split = s.canary ? `route ${100 - s.canary.weight}% of traffic to stable and ${s.canary.weight}% to canary` : 'route 100% of traffic to stable; remove any canary group'
  return [`${label} — deployment ${s.deploymentId}:`, group('stable', s.stable), ...(s.canary ? [group('canary', s.canary)] : []), split].join('\n')
}

export function manualActuator(d: ManualActuatorDeps): Actuator {
  const observe = async (req: ActuationRequest): Promise<FleetDeployment | null> =>
    (await d.cloud.listResources(req.customerId)).deployments.find((x) => x.id === req.deploymentId) ?? null

  const step = async <T>(req: ActuationRequest, next: (s: DeploymentState) => DeploymentState | string, done: (before: DeploymentState, dep: FleetDeployment) => T): Promise<Actuation<T>> => {
    const dep = await observe(req)
    if (!dep) return { ok: false, error: { code: 'not_found', message: `deployment ${req.deploymentId} not found`, retryable: false } }
    const want = next(stateOf(dep))
    if (typeof want === 'string') return { ok: false, error: { code: 'invalid', message: want, retryable: false } }
    const action = await recordAction(d.db, { actuatorId: d.actuatorId, customerId: req.customerId, changeId: req.changeId, deploymentId: req.deploymentId, instruction: instructionFor(req.label, want), wanted: want }, d.clock.now())
    if (!applied(action.wanted, stateOf(dep))) return { ok: 'pending', reason: `waiting for a human to apply: ${action.instruction.split('\n')[0]}`, revision: null }
    await markApplied(d.db, req.changeId, d.clock.now())
    return { ok: true, value: done(action.wanted, dep) }
  }

  return {
    kind: 'manual',
    setCanary: (req) => step(req, (s) => withCanary(s, req.group, req.weight), (_, dep) => dep),
    // the stable group before promotion is what the recorded instruction replaced
    promoteCanary: (req) => step(req, (s) => (s.canary ? promoted(s) : `deployment ${req.deploymentId} has no canary group to promote`), () => ({ retiredInstanceIds: [] })),
    abortCanary: (req) => step(req, aborted, () => ({ canaryInstanceIds: [] })),
  }
}

/** The provider's own calls: the simulator, or a cloud whose API routes traffic itself. */
export function directActuator(cloud: CloudProvider): Actuator {
  return {
    kind: 'direct',
    setCanary: ({ label: _label, ...req }) => cloud.setCanary(req),
    promoteCanary: ({ label: _label, ...req }) => cloud.promoteCanary(req),
    abortCanary: ({ label: _label, reason: _reason, ...req }) => cloud.abortCanary(req),
  }
}
