/**
 * The GitOps actuator: each canary step of an approved change is one commit to the customer's
 * deployment repository (message names the change and the step), a rollback is a revert commit,
 * and a step completes only when the fleet shows what its commit asks for — applied by Argo CD or
 * Flux on a real fleet, by the twin's follower in the simulator.
 */
import type { CloudProvider, FleetDeployment, ProviderResult } from '../cloud/provider.ts'
import { aborted, applied, changeParts, promoted, stateOf, withCanary, type Actuation, type ActuationRequest, type Actuator, type DeploymentState, type GitLayout } from './actuator.ts'
import { TRAILER, type CommitInfo, type GitRepo } from './git-repo.ts'
import { deploymentPath, parseDeployment, renderDeployment } from './layouts.ts'

export interface GitActuatorDeps {
  cloud: CloudProvider
  repo: GitRepo
  layout: GitLayout
  /** Tells the fleet's controller a new revision is there (Argo CD's webhook); no-op on a real fleet that polls. */
  notify(): Promise<void>
}

const fail = (message: string): ProviderResult<never> => ({ ok: false, error: { code: 'invalid', message, retryable: false } })

/** A commit message: subject naming the change and step, body, then the trailers that find it again. */
export function commitMessage(req: ActuationRequest, subject: string, body: string, extra: Record<string, string> = {}): string {
  const { runId } = changeParts(req.changeId)
  const trailers = { [TRAILER.change]: req.changeId, [TRAILER.run]: runId, ...extra }
  return `${req.label}: ${subject}\n\n${body}\n\n${Object.entries(trailers).map(([k, v]) => `${k}: ${v}`).join('\n')}\n`
}

/** The value of a trailer in a commit message. */
export function trailer(message: string, key: string): string | null {
  const line = message.split('\n').find((l) => l.startsWith(`${key}: `))
  return line ? line.slice(key.length + 2).trim() : null
}

export function gitActuator(d: GitActuatorDeps): Actuator {
  const observe = async (req: ActuationRequest): Promise<FleetDeployment | null> =>
    (await d.cloud.listResources(req.customerId)).deployments.find((x) => x.id === req.deploymentId) ?? null

  /** Makes sure the deployment has a file, so a revert returns to its state before the run. */
  const ensureImported = async (req: ActuationRequest, dep: FleetDeployment): Promise<void> => {
    const file = deploymentPath(d.layout, dep.id)
    if (await d.repo.read(file)) return
    const changeId = `import:${req.changeId}`
    await d.repo.commit(changeId, renderDeployment(d.layout, stateOf(dep)), `Import ${dep.id} as it runs\n\nOptiInfra manages this deployment's serving state from here on.\n\n${TRAILER.change}: ${changeId}\n`)
  }

  /** Notifies the controller, then answers `done` once the fleet shows the commit's state. */
  const settle = async <T>(req: ActuationRequest, commit: CommitInfo, done: (dep: FleetDeployment) => T): Promise<Actuation<T>> => {
    const text = await d.repo.readAt(commit.sha, deploymentPath(d.layout, req.deploymentId))
    await d.notify()
    const dep = await observe(req)
    if (!dep) return fail(`deployment ${req.deploymentId} not found`)
    const want: DeploymentState = text ? parseDeployment(d.layout, req.deploymentId, text) : aborted(stateOf(dep))
    if (applied(want, stateOf(dep))) return { ok: true, value: done(dep) }
    return { ok: 'pending', reason: `waiting for the GitOps controller to apply ${commit.sha.slice(0, 12)}`, revision: commit.sha }
  }

  return {
    kind: 'git',
    async setCanary(req) {
      let commit = await d.repo.find(req.changeId)
      if (!commit) {
        const dep = await observe(req)
        if (!dep) return fail(`deployment ${req.deploymentId} not found`)
        await ensureImported(req, dep)
        const want = withCanary(stateOf(dep), req.group, req.weight)
        const body = `Canary group of ${req.group.instanceIds.length} instance(s) takes ${req.weight}% of ${dep.id}'s traffic.`
        commit = await d.repo.commit(req.changeId, renderDeployment(d.layout, want), commitMessage(req, `${changeParts(req.changeId).step} — canary ${req.weight}%`, body))
      }
      return settle(req, commit, (dep) => dep)
    },
    async promoteCanary(req) {
      let commit = await d.repo.find(req.changeId)
      if (!commit) {
        const dep = await observe(req)
        if (!dep) return fail(`deployment ${req.deploymentId} not found`)
        if (!dep.canary) return fail(`deployment ${req.deploymentId} has no canary group to promote`)
        const retired = stateOf(dep).stable.instanceIds
        const body = `The canary group becomes ${dep.id}'s stable group at 100%; the old stable group (${retired.length} instance(s)) is retired.`
        commit = await d.repo.commit(req.changeId, renderDeployment(d.layout, promoted(stateOf(dep))), commitMessage(req, `${changeParts(req.changeId).step} — promote canary to 100%`, body, { [TRAILER.retired]: retired.join(',') }))
      }
      const retiredIds = (trailer(commit.message, TRAILER.retired) ?? '').split(',').filter(Boolean)
      return settle(req, commit, () => ({ retiredInstanceIds: retiredIds }))
    },
    async abortCanary(req) {
      let commit = await d.repo.find(req.changeId)
      if (!commit) {
        const dep = await observe(req)
        if (!dep) return fail(`deployment ${req.deploymentId} not found`)
        const canaryIds = stateOf(dep).canary?.instanceIds ?? []
        // the run never reached the repository (e.g. its launch failed): nothing to revert
        if (canaryIds.length === 0 && !(await d.repo.hasRun(changeParts(req.changeId).runId))) return { ok: true, value: { canaryInstanceIds: [] } }
        const extra = { [TRAILER.canary]: canaryIds.join(',') }
        const subject = `Revert ${changeParts(req.changeId).runId.slice(0, 8)}: ${req.reason}`.slice(0, 200)
        commit = await d.repo.revertRun(req.changeId, changeParts(req.changeId).runId, commitMessage(req, subject, `Rolled back: ${req.reason}`, extra))
          ?? await d.repo.commit(req.changeId, renderDeployment(d.layout, aborted(stateOf(dep))), commitMessage(req, subject, `Rolled back (written, the revert did not apply cleanly): ${req.reason}`, extra))
      }
      const canaryIds = (trailer(commit.message, TRAILER.canary) ?? '').split(',').filter(Boolean)
      return settle(req, commit, () => ({ canaryInstanceIds: canaryIds }))
    },
  }
}
