/**
 * The twin's GitOps controller (what Argo CD or Flux does on a real cluster): it follows a
 * customer's deployment repository and makes the simulated fleet serve what the branch head
 * describes — canary group, its weight, promotion, abort — through the provider's own calls, keyed
 * by revision so a repeated sync has no second effect. A deployment without a file is not managed.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { simpleGit } from 'simple-git'
import type { CloudProvider, FleetDeployment } from '../provider.ts'
import { applied, stateOf, type DeploymentState, type GitLayout } from '../../actuators/actuator.ts'
import { deploymentPath, parseDeployment } from '../../actuators/layouts.ts'

export interface FollowedRepo { repository: string; branch: string; layout: GitLayout }

export interface TwinGitOps {
  follow(customerId: string, repo: FollowedRepo): void
  unfollow(customerId: string): void
  /** Fetches the branch and applies it (the webhook Argo CD gets on push). Answers the revision applied. */
  sync(customerId: string): Promise<string | null>
  stop(): Promise<void>
}

export function createTwinGitOps(cloud: CloudProvider): TwinGitOps {
  const followed = new Map<string, FollowedRepo>()
  const clones = new Map<string, Promise<string>>()
  const cloneOf = (customerId: string, repo: FollowedRepo) => {
    const key = `${customerId}|${repo.repository}`
    if (!clones.has(key)) clones.set(key, (async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'optiinfra-twin-gitops-'))
      await simpleGit().clone(repo.repository, dir, ['--no-checkout'])
      return dir
    })())
    return clones.get(key)!
  }

  const syncOne = async (customerId: string, repo: FollowedRepo): Promise<string | null> => {
    const g = simpleGit(await cloneOf(customerId, repo))
    await g.fetch('origin')
    const revision = (await g.raw(['rev-parse', '--verify', '-q', `refs/remotes/origin/${repo.branch}`]).catch(() => '')).trim()
    if (!revision) return null
    const { deployments } = await cloud.listResources(customerId)
    for (const dep of deployments) {
      const text = await g.show([`${revision}:${deploymentPath(repo.layout, dep.id)}`]).catch(() => null)
      if (text) await converge(cloud, customerId, dep, parseDeployment(repo.layout, dep.id, text), revision)
    }
    return revision
  }

  return {
    follow: (customerId, repo) => { followed.set(customerId, repo) },
    unfollow: (customerId) => { followed.delete(customerId) },
    sync: async (customerId) => {
      const repo = followed.get(customerId)
      return repo ? syncOne(customerId, repo) : null
    },
    stop: async () => {
      const dirs = await Promise.allSettled(clones.values())
      clones.clear()
      await Promise.all(dirs.map((d) => (d.status === 'fulfilled' ? rm(d.value, { recursive: true, force: true }) : undefined)))
    },
  }
}

/** One deployment toward its described state: attach/re-weight the canary, promote it, or abort it. */
async function converge(cloud: CloudProvider, customerId: string, dep: FleetDeployment, want: DeploymentState, revision: string): Promise<void> {
  const seen = stateOf(dep)
  if (applied(want, seen)) return
  const base = { customerId, deploymentId: dep.id }
  const changeId = (op: string) => `gitops:${revision}:${dep.id}:${op}`
  if (want.canary) {
    await cloud.setCanary({ ...base, changeId: changeId('canary'), group: { instanceIds: want.canary.instanceIds, config: want.canary.config }, weight: want.canary.weight })
    return
  }
  if (!seen.canary) return
  const promote = sameIds(want.stable.instanceIds, seen.canary.instanceIds)
  await (promote ? cloud.promoteCanary({ ...base, changeId: changeId('promote') }) : cloud.abortCanary({ ...base, changeId: changeId('abort') }))
}

const sameIds = (a: string[], b: string[]) => a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i])
