/**
 * The catalog file against ecosystem-formats §4–5.
 *
 * | Check                         | Source                                   | Expected                       |
 * |-------------------------------|------------------------------------------|--------------------------------|
 * | p5.48xlarge on-demand         | Karpenter table 2026-07-20 (§4.2)        | $55.04/h, 8× H100 80 GiB        |
 * | p4d vs p4de                   | §4.2                                     | A100-40GB vs A100-80GB          |
 * | a3-highgpu-8g CUD             | Cyclenerd 2026-07-30 (§4.4/§5.3)         | 1y 31%, 3y 56%                  |
 * | AWS commitments               | §5.2: not sourced                        | none                            |
 * | band ">20%" rate              | −ln(1−0.25)/730                          | 3.94e-4 /h                      |
 * | relativeSpeed H100            | 3350 / 2039 GB/s                         | 1.64                            |
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { commitmentFor, findInstanceType, gpuSpec, interruptionRateForBand, loadCatalog, microsToUsd, normalizeGpuType, parseCatalog, usdToMicros } from './catalog.ts'

const catalog = loadCatalog()

function withFile(doc: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'catalog-')), 'gpu-catalog.json')
  writeFileSync(path, JSON.stringify(doc))
  return path
}

function mutated(index: number, change: (e: Record<string, unknown>) => void): unknown {
  const doc = structuredClone(catalog) as unknown as { entries: Array<Record<string, unknown>> }
  change(doc.entries[index]!)
  return doc
}

describe('catalog data', () => {
  it('covers every AWS and GCP GPU instance type priced in §4', () => {
    const aws = catalog.entries.filter((e) => e.cloud === 'aws').map((e) => e.instanceType)
    const gcp = catalog.entries.filter((e) => e.cloud === 'gcp').map((e) => e.instanceType)
    expect(aws).toEqual(expect.arrayContaining(['g4dn.xlarge', 'g5.48xlarge', 'g6.xlarge', 'g6e.12xlarge', 'p4d.24xlarge', 'p4de.24xlarge', 'p5.48xlarge', 'p5en.48xlarge', 'p6-b300.48xlarge']))
    expect(gcp).toEqual(expect.arrayContaining(['g2-standard-4', 'g2-standard-96', 'a2-highgpu-8g', 'a2-ultragpu-8g', 'a3-highgpu-2g', 'a3-highgpu-4g', 'a3-megagpu-8g']))
    expect(aws).toHaveLength(28)
    expect(gcp).toHaveLength(17)
    for (const e of catalog.entries) expect(e.retrieved).toMatch(/^2026-07-(20|30)$/)
  })

  it('carries the sourced specs and prices', () => {
    expect(findInstanceType(catalog, 'aws', 'p5.48xlarge')).toMatchObject({ gpuType: 'H100', gpuCount: 8, gpuMemoryGiB: 80, onDemandHourlyUsd: 55.04, fp8Support: true })
    expect(findInstanceType(catalog, 'aws', 'p4d.24xlarge')).toMatchObject({ gpuType: 'A100-40GB', fp8Support: false })
    expect(findInstanceType(catalog, 'aws', 'p4de.24xlarge')).toMatchObject({ gpuType: 'A100-80GB', spot: { interruptionBand: '<5%', noticeSeconds: 120 } })
    expect(findInstanceType(catalog, 'gcp', 'a3-highgpu-8g')?.commitments).toEqual([
      expect.objectContaining({ term: '1y', discount: expect.closeTo(0.31, 2) }),
      expect.objectContaining({ term: '3y', discount: expect.closeTo(0.56, 2) }),
    ])
    expect(findInstanceType(catalog, 'gcp', 'g2-standard-4')?.spot?.noticeSeconds).toBe(30)
    expect(findInstanceType(catalog, 'aws', 'g5.xlarge')?.spot?.interruptionRatePerHour).toBeCloseTo(3.94e-4, 6)
    expect(findInstanceType(catalog, 'aws', 'nope')).toBeUndefined()
  })

  it('has no AWS commitment rates (not sourced) and labels the placeholder it uses instead', () => {
    expect(catalog.entries.filter((e) => e.cloud === 'aws' && e.commitments)).toEqual([])
    const p5 = findInstanceType(catalog, 'aws', 'p5.48xlarge')!
    expect(commitmentFor(p5, '1y')).toMatchObject({ discount: 0.31, estimate: true })
    const g2 = findInstanceType(catalog, 'gcp', 'g2-standard-4')!
    expect(commitmentFor(g2, '3y')).toMatchObject({ discount: 0.55, estimate: false })
  })

  it('prices egress per cloud with a labelled non-reference source', () => {
    expect(catalog.egressUsdPerGb).toEqual({ aws: 0.09, gcp: 0.12 })
    expect(catalog.egressSource?.aws).toMatch(/NOT in ecosystem-formats/)
  })
})

describe('GPU specs', () => {
  it('normalises source spellings and ranks speed by bandwidth vs A100-80GB', () => {
    expect(normalizeGpuType('NVIDIA H100 80GB (Mega)')).toBe('H100')
    expect(normalizeGpuType('NVIDIA A100 40GB')).toBe('A100-40GB')
    expect(normalizeGpuType('l40s')).toBe('L40S')
    expect(normalizeGpuType('A100')).toBeUndefined()
    expect(gpuSpec('A100-80GB').relativeSpeed).toBe(1)
    expect(gpuSpec('H100').relativeSpeed).toBeCloseTo(1.64, 2)
    expect(gpuSpec('L4').relativeSpeed).toBeCloseTo(0.147, 3)
    expect(gpuSpec('L4')).toMatchObject({ memoryGiB: 22.4, fp8: true })
    expect(gpuSpec('A10G').fp8).toBe(false)
    expect(() => gpuSpec('TPUv5')).toThrow(/unknown GPU type/)
  })

  it('derives hourly interruption rates from advisor bands', () => {
    expect(interruptionRateForBand('>20%')).toBeCloseTo(-Math.log(0.75) / 730, 12)
    expect(interruptionRateForBand('<5%')!).toBeLessThan(interruptionRateForBand('5-10%')!)
    expect(interruptionRateForBand('unpublished')).toBeUndefined()
  })
})

describe('loadCatalog validation', () => {
  it('loads a refreshed file passed by path', () => {
    const path = withFile(catalog)
    expect(loadCatalog(path).entries).toHaveLength(catalog.entries.length)
  })

  it('names the bad entry and field', () => {
    expect(() => loadCatalog(withFile(mutated(2, (e) => { e['onDemandHourlyUsd'] = 'cheap' }))))
      .toThrow(/entry #2 \(aws g5\.xlarge\): "onDemandHourlyUsd" must be a number/)
    expect(() => parseCatalog(mutated(0, (e) => { e['gpuType'] = 'Voodoo2' }), 'x')).toThrow(/entry #0 \(aws g4dn\.xlarge\): unknown gpuType "Voodoo2"/)
    expect(() => parseCatalog(mutated(0, (e) => { e['spot'] = { ...(e['spot'] as object), discountMin: 0.9 } }), 'x')).toThrow(/discountMin 0\.9 > discountMax/)
    expect(() => parseCatalog(mutated(0, (e) => { e['spot'] = { ...(e['spot'] as object), interruptionRatePerHour: 0.5 } }), 'x')).toThrow(/does not match band/)
    expect(() => parseCatalog(mutated(0, (e) => { e['fp8Support'] = true }), 'x')).toThrow(/contradicts T4/)
    expect(() => parseCatalog(mutated(1, (e) => { e['instanceType'] = 'g4dn.xlarge' }), 'x')).toThrow(/duplicate entry aws\/us-east-1\/g4dn\.xlarge/)
    expect(() => parseCatalog(mutated(28, (e) => { e['commitments'] = [{ term: '5y', discount: 0.5, source: 's' }] }), 'x')).toThrow(/commitments\[0\]: "term"/)
  })

  it('rejects unreadable files and empty catalogs', () => {
    expect(() => loadCatalog(join(tmpdir(), 'does-not-exist.json'))).toThrow(/cannot read GPU catalog/)
    expect(() => parseCatalog({ entries: [] }, 'x')).toThrow(/"entries" must be a non-empty array/)
  })
})

describe('money', () => {
  it('converts USD to integer micro-dollars and back', () => {
    expect(usdToMicros(55.04)).toBe(55_040_000)
    expect(usdToMicros(0.0000004)).toBe(0)
    expect(microsToUsd(usdToMicros(2.24208))).toBe(2.24208)
  })
})
