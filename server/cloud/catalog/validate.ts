/**
 * Shape validation for the GPU catalog file. A refreshed catalog is data from outside, so
 * every field is checked and the first problem is reported with the entry it belongs to.
 */
import type { Catalog, CatalogEntry, Commitment, SpotTerms } from './catalog.ts'
import { gpuSpec, normalizeGpuType } from './gpu-specs.ts'
import { interruptionRateForBand } from './spot-bands.ts'

type Obj = Record<string, unknown>

/** A stored rate may differ from the band derivation by rounding only (4 significant digits). */
const RATE_TOLERANCE = 0.01

function fail(where: string, message: string): never {
  throw new Error(`${where}: ${message}`)
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function obj(v: unknown, where: string, field: string): Obj {
  return isObj(v) ? v : fail(where, `"${field}" must be an object`)
}

function str(o: Obj, key: string, where: string): string {
  const v = o[key]
  return typeof v === 'string' && v.trim() !== '' ? v : fail(where, `"${key}" must be a non-empty string, got ${JSON.stringify(v)}`)
}

function date(o: Obj, key: string, where: string): string {
  const v = str(o, key, where)
  return /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : fail(where, `"${key}" must be a YYYY-MM-DD date, got "${v}"`)
}

function num(o: Obj, key: string, where: string, min: number, max = Number.POSITIVE_INFINITY): number {
  const v = o[key]
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    fail(where, `"${key}" must be a number in [${min}, ${max}], got ${JSON.stringify(v)}`)
  }
  return v
}

function optNum(o: Obj, key: string, where: string, min: number): number | undefined {
  return o[key] === undefined ? undefined : num(o, key, where, min)
}

function bool(o: Obj, key: string, where: string): boolean {
  const v = o[key]
  return typeof v === 'boolean' ? v : fail(where, `"${key}" must be a boolean, got ${JSON.stringify(v)}`)
}

function parseSpot(raw: unknown, where: string): SpotTerms {
  const s = obj(raw, where, 'spot')
  const at = `${where} spot`
  const spot: SpotTerms = {
    discountMin: num(s, 'discountMin', at, 0, 0.99),
    discountMax: num(s, 'discountMax', at, 0, 0.99),
    interruptionBand: str(s, 'interruptionBand', at),
    interruptionRatePerHour: num(s, 'interruptionRatePerHour', at, 0, 1),
    noticeSeconds: num(s, 'noticeSeconds', at, 1, 3600),
  }
  if (spot.discountMin > spot.discountMax) fail(at, `discountMin ${spot.discountMin} > discountMax ${spot.discountMax}`)
  const derived = interruptionRateForBand(spot.interruptionBand)
  if (derived !== undefined && Math.abs(spot.interruptionRatePerHour / derived - 1) > RATE_TOLERANCE) {
    fail(at, `interruptionRatePerHour ${spot.interruptionRatePerHour} does not match band "${spot.interruptionBand}" (${derived.toPrecision(4)})`)
  }
  if (typeof s['source'] === 'string') spot.source = s['source']
  if (typeof s['retrieved'] === 'string') spot.retrieved = date(s, 'retrieved', at)
  return spot
}

function parseCommitments(raw: unknown, where: string): Commitment[] {
  if (!Array.isArray(raw)) fail(where, '"commitments" must be an array')
  return raw.map((c: unknown, j) => {
    const o = obj(c, where, `commitments[${j}]`)
    const at = `${where} commitments[${j}]`
    const term = o['term']
    if (term !== '1y' && term !== '3y') fail(at, `"term" must be "1y" or "3y", got ${JSON.stringify(term)}`)
    return { term, discount: num(o, 'discount', at, 0.01, 0.95), source: str(o, 'source', at) }
  })
}

function parseGpuType(o: Obj, where: string): string {
  const raw = str(o, 'gpuType', where)
  return normalizeGpuType(raw) ?? fail(where, `unknown gpuType "${raw}" (add it to gpu-specs.ts)`)
}

function parseEntry(raw: unknown, i: number, label: string): CatalogEntry {
  const o = obj(raw, `${label}: entry #${i}`, 'entry')
  const where = `${label}: entry #${i} (${String(o['cloud'])} ${String(o['instanceType'])})`
  const cloud = o['cloud']
  if (cloud !== 'aws' && cloud !== 'gcp') fail(where, `"cloud" must be "aws" or "gcp", got ${JSON.stringify(cloud)}`)
  const gpuType = parseGpuType(o, where)
  const entry: CatalogEntry = {
    cloud, region: str(o, 'region', where), instanceType: str(o, 'instanceType', where), gpuType,
    gpuCount: num(o, 'gpuCount', where, 1, 64), gpuMemoryGiB: num(o, 'gpuMemoryGiB', where, 1, 1024),
    vcpus: num(o, 'vcpus', where, 1), memoryGiB: num(o, 'memoryGiB', where, 1),
    onDemandHourlyUsd: num(o, 'onDemandHourlyUsd', where, 0.0001), fp8Support: bool(o, 'fp8Support', where),
    source: str(o, 'source', where), retrieved: date(o, 'retrieved', where),
  }
  if (!Number.isInteger(entry.gpuCount)) fail(where, `"gpuCount" must be an integer, got ${entry.gpuCount}`)
  if (entry.fp8Support !== gpuSpec(gpuType).fp8) fail(where, `"fp8Support" ${entry.fp8Support} contradicts ${gpuType} (${gpuSpec(gpuType).architecture})`)
  if (o['spot'] !== undefined) entry.spot = parseSpot(o['spot'], where)
  if (o['commitments'] !== undefined) entry.commitments = parseCommitments(o['commitments'], where)
  const bf16 = optNum(o, 'bf16Tflops', where, 1)
  const bw = optNum(o, 'memBandwidthGBs', where, 1)
  if (bf16 !== undefined) entry.bf16Tflops = bf16
  if (bw !== undefined) entry.memBandwidthGBs = bw
  if (typeof o['notes'] === 'string') entry.notes = o['notes']
  return entry
}

function parseEgress(o: Obj, label: string): Catalog['egressUsdPerGb'] {
  const e = obj(o['egressUsdPerGb'], label, 'egressUsdPerGb')
  return { aws: num(e, 'aws', `${label} egressUsdPerGb`, 0, 1), gcp: num(e, 'gcp', `${label} egressUsdPerGb`, 0, 1) }
}

/** Validates an already-parsed catalog document; throws an Error naming the first bad entry. */
export function parseCatalog(raw: unknown, label = 'catalog'): Catalog {
  const o = obj(raw, label, '(root)')
  if (!Array.isArray(o['entries']) || o['entries'].length === 0) fail(label, '"entries" must be a non-empty array')
  const entries = o['entries'].map((e: unknown, i) => parseEntry(e, i, label))
  const seen = new Set<string>()
  for (const e of entries) {
    const key = `${e.cloud}/${e.region}/${e.instanceType}`
    if (seen.has(key)) fail(label, `duplicate entry ${key}`)
    seen.add(key)
  }
  const catalog: Catalog = { entries, source: str(o, 'source', label), retrieved: date(o, 'retrieved', label), egressUsdPerGb: parseEgress(o, label) }
  if (isObj(o['egressSource'])) {
    catalog.egressSource = { aws: str(o['egressSource'], 'aws', label), gcp: str(o['egressSource'], 'gcp', label) }
  }
  return catalog
}
