/**
 * Time as a dependency: domain and workflow code asks a Clock, never `Date.now()`, so tests can
 * freeze and advance time and the demo can run fleet time faster than wall time.
 */
export interface Clock {
  /** Current (possibly simulated) time. */
  now(): Date
  /** Resolves after `ms` of clock time; on a scaled clock that is `ms / scale` of wall time. */
  sleep(ms: number): Promise<void>
  /** Simulated seconds per wall second (1 for the system clock). */
  readonly scale: number
}

/** The real wall clock. */
export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
  scale: 1,
}

/**
 * A clock that runs `scale` times faster than the wall clock from `origin` on. With scale 600 a
 * ten-minute canary bake passes in one wall second.
 */
export function scaledClock(scale: number, origin: Date = new Date(), wall: () => number = Date.now): Clock {
  if (!(scale > 0)) throw new RangeError(`time scale must be > 0, got ${scale}`)
  const wallStart = wall()
  return {
    scale,
    now: () => new Date(origin.getTime() + (wall() - wallStart) * scale),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms / scale))),
  }
}

/** A clock that only moves when told to: for unit tests of time-dependent rules. */
export interface ManualClock extends Clock {
  advance(ms: number): void
  set(at: Date): void
}

/** Creates a ManualClock; `sleep` advances it instantly so loops under test never wait. */
export function manualClock(start: Date = new Date('2026-01-01T00:00:00Z')): ManualClock {
  let t = start.getTime()
  return {
    scale: Number.POSITIVE_INFINITY,
    now: () => new Date(t),
    sleep: async (ms) => { t += Math.max(0, ms) },
    advance: (ms) => { t += ms },
    set: (at) => { t = at.getTime() },
  }
}
