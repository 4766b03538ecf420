/**
 * Spot market of the twin: a seeded, mean-reverting spot price inside each type's discount
 * band, Poisson interruption notices at the band's hourly rate, and the effective hourly
 * price under each purchase option. Deterministic for (seed, instance type/id, time).
 */
import { commitmentFor, type CatalogEntry, type CommitmentTerm, type SpotTerms } from '../catalog/catalog.ts'
import { hashString, poisson, rngAt, standardNormal, uniform01 } from './rng.ts'

const HOUR_MS = 3_600_000
/**
 * Spot prices are piecewise constant per hour and follow an AR(1) with φ = 0.9 per hour
 * (shocks halve in ~6.6 h), evaluated as a truncated moving average of the last 48 hourly
 * shocks (φ^48 ≈ 0.006) so any hour can be computed without replaying history.
 */
const AR_PHI = 0.9
const AR_MEMORY_HOURS = 48
/** The unit-variance AR state is squashed by tanh(0.8·x) into the band: mean stays at the band centre, ~70% of hours within the inner two thirds. */
const BAND_SQUASH = 0.8

/** Purchase option of an instance. */
export type Pricing = 'on-demand' | 'spot' | 'reserved'

function spotTerms(entry: CatalogEntry): SpotTerms {
  if (!entry.spot) throw new Error(`${entry.cloud} ${entry.instanceType} has no spot terms in the catalog`)
  return entry.spot
}

/** Unit-variance AR(1) state for an hour, from the seeded shocks of that hour and the 47 before it. */
function arState(key: number, hour: number): number {
  let x = 0
  let weight = 1
  for (let k = 0; k < AR_MEMORY_HOURS; k++) {
    x += weight * standardNormal(rngAt(key, hour - k))
    weight *= AR_PHI
  }
  return x * Math.sqrt(1 - AR_PHI * AR_PHI)
}

/** Spot discount (fraction off on-demand) in force during the hour containing `at`. */
export function spotDiscountAt(entry: CatalogEntry, at: Date, seed: number): number {
  const spot = spotTerms(entry)
  const key = hashString(`spot-price|${seed}|${entry.cloud}|${entry.instanceType}`)
  const centre = (spot.discountMin + spot.discountMax) / 2
  const half = (spot.discountMax - spot.discountMin) / 2
  const d = centre + half * Math.tanh(BAND_SQUASH * arState(key, Math.floor(at.getTime() / HOUR_MS)))
  return Math.min(spot.discountMax, Math.max(spot.discountMin, d))
}

/** Spot price in USD/h at `at`: constant within a simulated hour, always inside the catalog band. */
export function spotPriceAt(entry: CatalogEntry, at: Date, seed: number): number {
  return entry.onDemandHourlyUsd * (1 - spotDiscountAt(entry, at, seed))
}

/**
 * Interruption-notice times for one spot instance in [from, to): per simulated hour a
 * Poisson count at the band's hourly rate, placed uniformly in the hour. Keyed by instance
 * id, so windows compose (the notices in [a, c) are those in [a, b) plus [b, c)). The
 * instance is reclaimed `noticeSeconds` after each notice; callers act on the first one.
 */
export function spotInterruptionsBetween(entry: CatalogEntry, instanceId: string, from: Date, to: Date, seed: number): Date[] {
  const rate = spotTerms(entry).interruptionRatePerHour
  const key = hashString(`spot-interrupt|${seed}|${entry.cloud}|${entry.instanceType}|${instanceId}`)
  const start = from.getTime()
  const end = to.getTime()
  const notices: number[] = []
  for (let hour = Math.floor(start / HOUR_MS); hour * HOUR_MS < end; hour++) {
    const rng = rngAt(key, hour)
    const n = poisson(rng, rate)
    for (let i = 0; i < n; i++) {
      const t = (hour + uniform01(rng)) * HOUR_MS
      if (t >= start && t < end) notices.push(t)
    }
  }
  return notices.sort((a, b) => a - b).map((t) => new Date(t))
}

/** Hourly USD price under a purchase option; reserved uses the sourced commitment or the labelled estimate (default term 1y). */
export function effectiveHourlyUsd(entry: CatalogEntry, pricing: Pricing, at: Date, seed: number, commitmentTerm: CommitmentTerm = '1y'): number {
  switch (pricing) {
    case 'on-demand':
      return entry.onDemandHourlyUsd
    case 'spot':
      return spotPriceAt(entry, at, seed)
    case 'reserved':
      return entry.onDemandHourlyUsd * (1 - commitmentFor(entry, commitmentTerm).discount)
  }
}
