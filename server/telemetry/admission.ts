/**
 * Back-pressure for ingestion: a bounded number of batches in flight per process. A batch beyond
 * the bound is refused whole with 429 and Retry-After before anything is read into the store, so
 * the sender keeps it and resends (runtimes and Prometheus' remote-write queues both do): nothing
 * is lost, and memory stays bounded under overload instead of queueing without end.
 */
import { errors } from '../errors.ts'

/** One process's ingestion admission. */
export interface Admission {
  /** Runs `work` if a slot is free, else throws 429 `OPT_INGEST_BUSY` with Retry-After. */
  run<T>(work: () => Promise<T>): Promise<T>
  readonly inFlight: number
}

/** Seconds a refused sender is asked to wait: one flush interval of a runtime or a Prometheus shard. */
export const INGEST_RETRY_AFTER_SECONDS = 1

export function createAdmission(maxInFlight: number): Admission {
  let inFlight = 0
  return {
    get inFlight() { return inFlight },
    async run(work) {
      if (inFlight >= maxInFlight) {
        const retry = String(INGEST_RETRY_AFTER_SECONDS)
        throw Object.assign(new errors.OPT_INGEST_BUSY(retry), { headers: { 'retry-after': retry } })
      }
      inFlight++
      try { return await work() } finally { inFlight-- }
    },
  }
}
