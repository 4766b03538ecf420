/**
 * AWS Spot Instance Advisor interruption bands turned into an hourly Poisson rate.
 *
 * The advisor's band is "the rate at which Spot has reclaimed capacity during the trailing
 * month" (ecosystem-formats §4.3), read here as the probability p that a running instance is
 * interrupted within a month. With a constant hazard λ, p = 1 - exp(-λ·730 h), so
 * λ = -ln(1 - p) / 730. Each band is represented by its midpoint; the open-ended ">20%" band
 * by 25% (the feed's own max for it is 100, which would be meaningless as a point estimate).
 */

/** Hours in a billing month, as both clouds' price sheets use (monthly = hourly × 730). */
export const HOURS_PER_MONTH = 730

/** Representative monthly interruption probability per advisor band label (verbatim labels). */
export const BAND_MONTHLY_PROBABILITY: Readonly<Record<string, number>> = {
  '<5%': 0.025,
  '5-10%': 0.075,
  '10-15%': 0.125,
  '15-20%': 0.175,
  '>20%': 0.25,
}

/** Hourly interruption rate for a monthly interruption probability (constant-hazard model). */
export function hourlyRateForMonthlyProbability(p: number): number {
  return -Math.log(1 - p) / HOURS_PER_MONTH
}

/** Hourly rate for an AWS advisor band label, or undefined for unpublished bands (GCP). */
export function interruptionRateForBand(band: string): number | undefined {
  const p = BAND_MONTHLY_PROBABILITY[band]
  return p === undefined ? undefined : hourlyRateForMonthlyProbability(p)
}
