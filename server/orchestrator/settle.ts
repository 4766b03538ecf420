/**
 * Agents judge a deployment only by telemetry of the fleet as it now stands. A rollout splits
 * traffic between the old and the new instances, so the minutes before a change finished show
 * neither: read as one window they make a consolidated deployment look idle (and a scale-out look
 * needed). The signal window therefore starts when the deployment's last change ended; while a
 * change runs, or until MIN_SETTLED_MS of settled telemetry exist, the deployment is settling and
 * the agents leave it (and its pending recommendations) alone until the next analysis.
 */

import type { Settling } from '../agents/agent.ts'

/** Settled telemetry a deployment needs before agents judge it: a third of the signal window, tens of scrapes. */
export const MIN_SETTLED_MS = 5 * 60_000

/** What OptiInfra last did to a deployment: a change in progress, and when the last one ended. */
export interface ChangeActivity {
  /** A rollout or rollback is under way (a canary group serves, or a started run has not ended). */
  active: boolean
  /** When the last change of the deployment ended (completed, rolled back or failed); null if none. */
  endedAt: Date | null
}

/** A deployment's change activity from its optimization runs and the provider's word that a canary group serves. */
export function activityOf(canaryServes: boolean, runs: ChangeActivity | undefined): ChangeActivity {
  return { active: canaryServes || (runs?.active ?? false), endedAt: runs?.endedAt ?? null }
}

/** The window of telemetry agents read for a deployment, or why they must wait. */
export interface DeploymentWindow { from: Date; to: Date; settling: Settling | null }

/** The signal window of one deployment at `now`, given the usual window length and its change activity. */
export function deploymentWindow(now: Date, windowMs: number, activity: ChangeActivity | undefined): DeploymentWindow {
  const usual = new Date(now.getTime() - windowMs)
  if (activity?.active) {
    return { from: usual, to: now, settling: { since: (activity.endedAt ?? now).toISOString(), until: null, reason: 'a change is being rolled out' } }
  }
  const ended = activity?.endedAt ?? null
  if (!ended || ended <= usual) return { from: usual, to: now, settling: null }
  const until = new Date(ended.getTime() + MIN_SETTLED_MS)
  const settling = until > now
    ? { since: ended.toISOString(), until: until.toISOString(), reason: `its last change ended at ${ended.toISOString()}; ${MIN_SETTLED_MS / 60_000} minutes of telemetry after it are needed` }
    : null
  return { from: ended, to: now, settling }
}
