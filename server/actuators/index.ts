/**
 * The actuators of every customer: `direct` unless the customer configured `git` or `manual`.
 * Git work copies live under `<dataDir>/gitops/<actuator id>`. On the twin, a configured
 * repository is also followed by the simulated cluster's controller (`TwinGitOps`).
 */
import path from 'node:path'
import type { Clock } from '../clock.ts'
import type { Db } from '../db/db.ts'
import type { CloudProvider } from '../cloud/provider.ts'
import type { TwinGitOps } from '../cloud/index.ts'
import type { Actuator } from './actuator.ts'
import { gitActuator } from './git.ts'
import { GitRepo } from './git-repo.ts'
import { directActuator, manualActuator } from './manual.ts'
import { actuatorOf, gitActuators, type ActuatorRecord } from './store.ts'

export interface ActuatorsDeps { db: Db; clock: Clock; cloud: CloudProvider; dataDir: string; twin: TwinGitOps | null }

export interface Actuators {
  /** The actuator a customer's changes go through now. */
  forCustomer(customerId: string): Promise<Actuator>
  /** The work copy of a git actuator. */
  repoOf(record: ActuatorRecord): GitRepo
  /** Starts following a git actuator's repository in the twin (no-op on a real fleet). */
  follow(record: ActuatorRecord): void
  unfollow(customerId: string): void
  /** Follows every configured repository again (after a restart). */
  resume(): Promise<void>
  stop(): Promise<void>
}

export function createActuators(d: ActuatorsDeps): Actuators {
  const direct = directActuator(d.cloud)
  const repos = new Map<string, GitRepo>()
  const repoOf = (r: ActuatorRecord) => {
    if (!repos.has(r.id)) repos.set(r.id, new GitRepo({ repository: r.repository!, branch: r.branch!, workDir: path.join(d.dataDir, 'gitops', r.id) }))
    return repos.get(r.id)!
  }
  const follow = (r: ActuatorRecord) => d.twin?.follow(r.customer_id, { repository: r.repository!, branch: r.branch!, layout: r.layout! })
  return {
    repoOf,
    follow,
    unfollow: (customerId) => d.twin?.unfollow(customerId),
    async forCustomer(customerId) {
      const r = await actuatorOf(d.db, customerId)
      if (!r) return direct
      if (r.kind === 'manual') return manualActuator({ db: d.db, clock: d.clock, cloud: d.cloud, actuatorId: r.id })
      const notify = async () => { await d.twin?.sync(customerId) }
      return gitActuator({ cloud: d.cloud, repo: repoOf(r), layout: r.layout!, notify })
    },
    async resume() {
      for (const r of await gitActuators(d.db)) follow(r)
    },
    stop: async () => { await d.twin?.stop() },
  }
}
