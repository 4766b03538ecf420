/**
 * Seeded, random-access randomness for the twin: every draw is keyed by (seed, subject,
 * time bucket), so any instant can be evaluated without replaying history and the same
 * inputs always give the same numbers. pure-rand's xoroshiro128+ does the drawing.
 */
import { xoroshiro128plus, type RandomGenerator } from 'pure-rand'

const TWO_POW_26 = 67_108_864
const TWO_POW_53 = 9_007_199_254_740_992

/** FNV-1a 32-bit hash of a string: a stable key for (seed, instance type, instance id). */
export function hashString(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** Mixes a bucket index into a key (murmur3 finaliser), so neighbouring hours are uncorrelated. */
export function mixKey(key: number, bucket: number): number {
  let h = (key ^ Math.imul(bucket | 0, 0x9e3779b1)) >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/** A generator for one (key, bucket) cell. */
export function rngAt(key: number, bucket: number): RandomGenerator {
  return xoroshiro128plus(mixKey(key, bucket))
}

/** Uniform double in [0, 1) from 53 random bits. */
export function uniform01(rng: RandomGenerator): number {
  const hi = rng.unsafeNext() >>> 5
  const lo = rng.unsafeNext() >>> 6
  return (hi * TWO_POW_26 + lo) / TWO_POW_53
}

/** Standard normal draw (Box–Muller). */
export function standardNormal(rng: RandomGenerator): number {
  const u = 1 - uniform01(rng)
  const v = uniform01(rng)
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}

/** Poisson draw with mean `mean` by inversion (fine for the small means used here). */
export function poisson(rng: RandomGenerator, mean: number): number {
  const u = uniform01(rng)
  let p = Math.exp(-mean)
  let cdf = p
  let k = 0
  while (u > cdf && k < 1000) {
    k++
    p *= mean / k
    cdf += p
  }
  return k
}
