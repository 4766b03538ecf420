/** SLOs at fleet registration: declared ones as given, a proposal for every other deployment. */
import type { Deps } from '../deps.ts'
import type { SloSpec } from './slo.ts'
import { putSlo, slosOf } from './store.ts'

/** Stores the declared SLOs of a registration and proposals for the deployments without one. */
export async function storeRegisteredSlos(deps: Pick<Deps, 'db' | 'clock' | 'cloud'>, customerId: string, declared: Map<string, SloSpec>): Promise<void> {
  const now = deps.clock.now()
  for (const [deploymentId, spec] of declared) await putSlo(deps.db, customerId, deploymentId, spec, 'declared', now)
  await slosOf(deps.db, customerId, (await deps.cloud.listResources(customerId)).deployments, now)
}
