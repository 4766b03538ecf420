/**
 * What every simulator operation needs (store, clock, seed, price catalog, live hub), and the
 * idempotent change runner behind every mutating CloudProvider call.
 */
import type { Clock } from '../../clock.ts'
import type { Db } from '../../db/db.ts'
import type { LiveHub } from '../../http/live.ts'
import type { Catalog } from '../catalog/catalog.ts'
import type { ProviderError, ProviderResult } from '../provider.ts'
import { claimChange, releaseChange, saveChange } from './store.ts'

/** Shared dependencies of the simulator's operations. */
export interface SimContext {
  db: Db
  clock: Clock
  seed: number
  /** Draw each newly registered deployment's hidden variation (variation.ts); off: deployments serve as registered. */
  variation: boolean
  catalog: Catalog
  live?: LiveHub
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Customer ids are UUIDs; anything else cannot own simulated resources (and must not reach SQL casts). */
export function isCustomerId(id: unknown): id is string {
  return typeof id === 'string' && UUID_RE.test(id)
}

/** A ProviderError value. */
export function providerError(code: ProviderError['code'], message: string, retryable = false): { ok: false; error: ProviderError } {
  return { ok: false, error: { code, message, retryable } }
}

/** Change ids are caller-chosen strings; bound them so they stay keys, not payloads. */
function changeIdProblem(changeId: unknown): string | null {
  return typeof changeId === 'string' && changeId.length > 0 && changeId.length <= 200 ? null : 'changeId must be a non-empty string of at most 200 characters'
}

/**
 * Runs a mutating call once per (customer, changeId), in one transaction: a repeat returns the
 * stored result with no new effect; the same id used for another method is refused. Retryable
 * failures are not stored, so a retry with the same id can still succeed (e.g. after a capacity
 * shortage clears); final failures are, so a retry gets the same answer.
 */
export async function runChange<T>(ctx: SimContext, customerId: string, changeId: string, method: string, fn: (tx: Db, now: Date) => Promise<ProviderResult<T>>): Promise<ProviderResult<T>> {
  const bad = changeIdProblem(changeId)
  if (bad) return providerError('invalid', bad)
  if (!isCustomerId(customerId)) return providerError('not_found', `customer ${String(customerId)} not found`)
  return ctx.db.tx(async (tx) => {
    const now = ctx.clock.now()
    if ((await tx.query('SELECT 1 FROM customers WHERE id = $1', [customerId])).length === 0) return providerError('not_found', `customer ${customerId} not found`)
    const prior = await claimChange(tx, customerId, changeId, method, now)
    if (prior) {
      if (prior.method !== method) return providerError('invalid', `changeId ${changeId} was already used for ${prior.method}`)
      return prior.result as ProviderResult<T>
    }
    const result = await fn(tx, now)
    if (!result.ok && result.error.retryable) await releaseChange(tx, customerId, changeId)
    else await saveChange(tx, customerId, changeId, result)
    return result
  })
}
