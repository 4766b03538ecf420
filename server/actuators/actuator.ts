/**
 * The actuator seam: how an approved change's traffic and configuration steps reach the fleet.
 * The cloud seam (`CloudProvider`) buys and releases capacity; the actuator moves traffic and
 * engine configuration between the stable and canary groups. Three kinds:
 * - `direct`: the provider's own calls (the simulator, or a cloud API that routes traffic);
 * - `git`: every step is a commit to the customer's deployment repository, which Argo CD or
 *   Flux applies; the step completes when the fleet shows what the commit asks for;
 * - `manual`: every step is an instruction a human applies; verified the same way.
 */
import type { EngineConfig } from '../cloud/model/serving.ts'
import type { FleetDeployment, ProviderResult, ServingGroup } from '../cloud/provider.ts'

export const ACTUATOR_KINDS = ['direct', 'git', 'manual'] as const
export type ActuatorKind = (typeof ACTUATOR_KINDS)[number]
export const GIT_LAYOUTS = ['kubernetes', 'production-stack'] as const
export type GitLayout = (typeof GIT_LAYOUTS)[number]

/**
 * What a step asks for. `changeId` is `${runId}:${step}[:part]` (the engine's idempotency key);
 * `label` names the change for humans (commit messages, instructions).
 */
export interface ActuationRequest { changeId: string; customerId: string; deploymentId: string; label: string }

/** The step is done, failed as the provider says, or waits for the fleet to show what was asked. */
export type Actuation<T> = ProviderResult<T> | { ok: 'pending'; reason: string; revision: string | null }

export interface Actuator {
  readonly kind: ActuatorKind
  /** Canary group (instances + engine config) taking `weight`% of traffic. */
  setCanary(req: ActuationRequest & { group: ServingGroup; weight: number }): Promise<Actuation<FleetDeployment>>
  /** The canary becomes stable at 100%; answers the instances the old stable group ran on. */
  promoteCanary(req: ActuationRequest): Promise<Actuation<{ retiredInstanceIds: string[] }>>
  /** All traffic back to stable; answers the canary's instances. `reason` says why (a failed gate). */
  abortCanary(req: ActuationRequest & { reason: string }): Promise<Actuation<{ canaryInstanceIds: string[] }>>
}

/** Fleet time a step waits between checks that the fleet applied what was asked. */
export const ACTUATION_POLL_MS = 15_000

/** One deployment's serving state as a repository or an instruction describes it. */
export interface DeploymentState {
  deploymentId: string
  model: string
  stable: { instanceIds: string[]; config: EngineConfig }
  canary: { instanceIds: string[]; config: EngineConfig; weight: number } | null
}

/** The state the fleet shows now. */
export function stateOf(d: FleetDeployment): DeploymentState {
  return {
    deploymentId: d.id,
    model: d.model.name,
    stable: { instanceIds: [...d.stable.instanceIds].sort(), config: d.stable.config },
    canary: d.canary ? { instanceIds: [...d.canary.instanceIds].sort(), config: d.canary.config, weight: d.canary.weight } : null,
  }
}

/** The state after a canary step. */
export function withCanary(s: DeploymentState, group: ServingGroup, weight: number): DeploymentState {
  return { ...s, canary: { instanceIds: [...group.instanceIds].sort(), config: group.config, weight } }
}

/** The state after promotion: the canary group is the stable group, at 100%. */
export function promoted(s: DeploymentState): DeploymentState {
  if (!s.canary) return s
  return { ...s, stable: { instanceIds: s.canary.instanceIds, config: s.canary.config }, canary: null }
}

/** The state after an abort: stable only. */
export function aborted(s: DeploymentState): DeploymentState {
  return { ...s, canary: null }
}

/** Whether the fleet serves what a state asks for (instances, configuration and weight). */
export function applied(want: DeploymentState, seen: DeploymentState): boolean {
  return JSON.stringify(normalized(want)) === JSON.stringify(normalized(seen))
}

function normalized(s: DeploymentState) {
  const group = (g: { instanceIds: string[]; config: EngineConfig }) => ({ ids: [...g.instanceIds].sort(), config: Object.fromEntries(Object.entries(g.config).sort()) })
  return { stable: group(s.stable), canary: s.canary ? { ...group(s.canary), weight: s.canary.weight } : null }
}

/** The run a changeId belongs to and the step that issued it. */
export function changeParts(changeId: string): { runId: string; step: string } {
  const [runId = changeId, step = ''] = changeId.split(':')
  return { runId, step }
}

/**
 * Why a repository address is refused, or null. Remote addresses only (https, ssh, scp-style),
 * unless the operator allows paths on this machine: a customer must not make the server read or
 * write its own disk.
 */
export function repositoryProblem(repository: string, allowLocal: boolean): string | null {
  if (/^(https:\/\/|ssh:\/\/)[^\s]+$/.test(repository) || /^[\w.-]+@[\w.-]+:[^\s]+$/.test(repository)) return null
  const local = repository.startsWith('file://') || repository.startsWith('/')
  if (local) return allowLocal ? null : 'a repository on the server\'s own disk needs OPTIINFRA_GITOPS_ALLOW_LOCAL=true'
  return 'expected an https://, ssh:// or git@host:path address'
}
