/**
 * The GPU instance catalog: specs, on-demand prices, spot terms and commitment discounts for
 * every AWS (us-east-1) and GCP (us-central1) GPU instance type in ecosystem-formats §4.
 * Pure apart from `loadCatalog`, which reads the JSON file it is given.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseCatalog } from './validate.ts'

/** GPU device specs, re-exported so callers need one import for catalog data. */
export { gpuSpec, normalizeGpuType, knownGpuTypes } from './gpu-specs.ts'
export type { GpuSpec } from './gpu-specs.ts'
export { interruptionRateForBand, BAND_MONTHLY_PROBABILITY, HOURS_PER_MONTH } from './spot-bands.ts'
export { parseCatalog } from './validate.ts'

/** The clouds the twin simulates. */
export type Cloud = 'aws' | 'gcp'
/** Commitment lengths offered by RIs/Savings Plans (AWS) and CUDs (GCP). */
export type CommitmentTerm = '1y' | '3y'

/** Spot market terms of an instance type: discount band, interruption risk, notice. */
export interface SpotTerms {
  /** Spot discount vs on-demand: the price moves inside [1-discountMax, 1-discountMin] × on-demand. */
  discountMin: number
  discountMax: number
  /** AWS Spot Advisor label ("<5%" … ">20%") or "unpublished" (GCP). */
  interruptionBand: string
  /** Poisson rate of interruption notices per instance-hour (derivation in spot-bands.ts). */
  interruptionRatePerHour: number
  /** Warning before reclaim: AWS 120 s, GCP 30 s. */
  noticeSeconds: number
  source?: string
  retrieved?: string
}

/** A sourced commitment discount (fraction off on-demand) for one term. */
export interface Commitment {
  term: CommitmentTerm
  discount: number
  source: string
}

/** One GPU instance type in one region, with its prices and where they came from. */
export interface CatalogEntry {
  cloud: Cloud
  region: string
  instanceType: string
  gpuType: string
  gpuCount: number
  /** Per GPU. */
  gpuMemoryGiB: number
  vcpus: number
  memoryGiB: number
  onDemandHourlyUsd: number
  /** Absent where the source has no spot data (the twin then offers no spot for the type). */
  spot?: SpotTerms
  /** Only sourced discounts (GCP CUDs); AWS RI/SP rates are not in citable data (§5.2). */
  commitments?: Commitment[]
  fp8Support: boolean
  bf16Tflops?: number
  memBandwidthGBs?: number
  notes?: string
  source: string
  retrieved: string
}

/** The whole catalog file: entries plus provenance and egress prices. */
export interface Catalog {
  entries: CatalogEntry[]
  source: string
  retrieved: string
  /** Internet egress list price, first tier, per GB leaving each cloud (cross-cloud traffic pays the sender's rate). */
  egressUsdPerGb: { aws: number; gcp: number }
  egressSource?: { aws: string; gcp: string }
}

/** A commitment discount as used for pricing, flagged when it is a placeholder. */
export interface CommitmentQuote {
  term: CommitmentTerm
  discount: number
  source: string
  /** True when no sourced discount exists and the placeholder below is used. */
  estimate: boolean
}

/**
 * Placeholder commitment discounts where none is sourced (all AWS types, GCP A2 ultra).
 * ecosystem-formats §5.2 allows a labelled placeholder derived from the GCP GPU-family CUD
 * evidence (§5.3: 1y 31–37%, 3y 55–65%); we take the low end of each so estimates never
 * overstate savings (AWS's own maxima are 66%/72%).
 */
const ESTIMATED_COMMITMENT_DISCOUNT: Readonly<Record<CommitmentTerm, number>> = { '1y': 0.31, '3y': 0.55 }

const DEFAULT_CATALOG_PATH = fileURLToPath(new URL('./gpu-catalog.json', import.meta.url))

/** Reads and validates a catalog file (default: the JSON beside this module) so refreshed data can be dropped in. */
export function loadCatalog(path: string = DEFAULT_CATALOG_PATH): Catalog {
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new Error(`cannot read GPU catalog ${path}: ${(err as Error).message}`)
  }
  return parseCatalog(raw, path)
}

let bundled: Catalog | undefined
/** The catalog shipped beside this module, read once per process (readers that need no other). */
export function bundledCatalog(): Catalog {
  bundled ??= loadCatalog()
  return bundled
}

/** Looks an instance type up by cloud and name (any region in the catalog). */
export function findInstanceType(cat: Catalog, cloud: Cloud, instanceType: string): CatalogEntry | undefined {
  return cat.entries.find((e) => e.cloud === cloud && e.instanceType === instanceType)
}

/** The commitment discount for a term: the sourced one, else the labelled estimate. */
export function commitmentFor(entry: CatalogEntry, term: CommitmentTerm): CommitmentQuote {
  const sourced = entry.commitments?.find((c) => c.term === term)
  if (sourced) return { ...sourced, estimate: false }
  return {
    term,
    discount: ESTIMATED_COMMITMENT_DISCOUNT[term],
    source: 'estimate: low end of GCP GPU-family CUD levels (ecosystem-formats §5.3); no sourced rate for this type',
    estimate: true,
  }
}

/** USD → integer micro-dollars, the unit the store keeps money in (no float drift in bills). */
export function usdToMicros(usd: number): number {
  return Math.round(usd * 1_000_000)
}

/** Integer micro-dollars → USD, for the API and display. */
export function microsToUsd(micros: number): number {
  return micros / 1_000_000
}
