import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { fieldKey, parseNvidiaSmiCsv } from './nvidia-smi.ts'

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')

const H100_FIELDS = ['index', 'uuid', 'name', 'pci.bus_id', 'driver_version', 'pstate', 'memory.total', 'memory.used', 'memory.free', 'utilization.gpu', 'utilization.memory', 'temperature.gpu', 'power.draw', 'power.limit', 'clocks.sm', 'fan.speed']

describe('parseNvidiaSmiCsv on the A100 capture (Appendix C, real)', () => {
  /*
   * | column                | row 1                     | row 2                     |
   * |-----------------------|---------------------------|---------------------------|
   * | timestamp             | 2024/06/01 11:27:05.177   | 2024/06/01 11:27:05.188   |
   * | pci.bus_id            | 00000000:3B:00.0          | 00000000:8B:00.0          |
   * | driver_version        | "545.23.08" (text)        | same                      |
   * | temperature.gpu       | 44                        | 42                        |
   * | utilization.gpu [%]   | "0 %" → 0                 | 0                         |
   * | memory.total/free/used| 40960 / 40333 / 4 MiB     | same                      |
   */
  const { rows, errors } = parseNvidiaSmiCsv(fixture('nvidia-smi-a100-omniopt.txt'))

  it('keys columns by header name with units removed and parses "N MiB"/"N %" to numbers', () => {
    expect(errors).toEqual([])
    expect(rows).toEqual([
      { timestamp: '2024/06/01 11:27:05.177', name: 'NVIDIA A100-SXM4-40GB', 'pci.bus_id': '00000000:3B:00.0', driver_version: '545.23.08', pstate: 'P0', 'pcie.link.gen.max': 4, 'pcie.link.gen.current': 4, 'temperature.gpu': 44, 'utilization.gpu': 0, 'utilization.memory': 0, 'memory.total': 40960, 'memory.free': 40333, 'memory.used': 4 },
      { timestamp: '2024/06/01 11:27:05.188', name: 'NVIDIA A100-SXM4-40GB', 'pci.bus_id': '00000000:8B:00.0', driver_version: '545.23.08', pstate: 'P0', 'pcie.link.gen.max': 4, 'pcie.link.gen.current': 4, 'temperature.gpu': 42, 'utilization.gpu': 0, 'utilization.memory': 0, 'memory.total': 40960, 'memory.free': 40333, 'memory.used': 4 },
    ])
  })
})

describe('parseNvidiaSmiCsv on the H100 captures', () => {
  /*
   * Alias capture: `clocks.sm` in the query comes back as header `clocks.current.sm [MHz]`.
   * | index | name                  | memory.total | clocks.current.sm | driver_version |
   * | 0     | NVIDIA H100 80GB HBM3 | 81559        | 345               | 590.48.01      |
   *
   * Two-GPU capture (units) and the same with noheader,nounits:
   * | field        | GPU 0  | GPU 1  |
   * |--------------|--------|--------|
   * | memory.used  | 74463  | 0      |
   * | memory.free  | 6541   | 81004  |
   * | utilization  | 97     | 0      |
   * | power.draw   | 512.87 | 69.12  |
   * | power.limit  | 700    | 700    |
   * | fan.speed    | null ([N/A]) | null |
   */
  it('uses the header the driver printed, including rewritten aliases', () => {
    expect(parseNvidiaSmiCsv(fixture('nvidia-smi-h100-clocks-alias.txt'))).toEqual({
      rows: [{ index: 0, name: 'NVIDIA H100 80GB HBM3', 'memory.total': 81559, 'clocks.current.sm': 345, driver_version: '590.48.01' }],
      errors: [],
    })
  })

  it('maps [N/A] to null and decimal watts to numbers', () => {
    const { rows, errors } = parseNvidiaSmiCsv(fixture('nvidia-smi-h100x2.txt'))
    expect(errors).toEqual([])
    expect(rows.map((r) => [r.index, r['memory.used'], r['memory.free'], r['utilization.gpu'], r['power.draw'], r['power.limit'], r['clocks.current.sm'], r['fan.speed']])).toEqual([
      [0, 74463, 6541, 97, 512.87, 700, 1980, null],
      [1, 0, 81004, 0, 69.12, 700, 345, null],
    ])
    expect(rows[0]?.uuid).toBe('GPU-5fd4f087-86f3-7a43-b711-4771313afc50')
  })

  it('reads noheader,nounits output with the caller-supplied field list, matching the header form', () => {
    const withHeader = parseNvidiaSmiCsv(fixture('nvidia-smi-h100x2.txt')).rows
    const noHeader = parseNvidiaSmiCsv(fixture('nvidia-smi-h100x2-noheader-nounits.txt'), { fields: H100_FIELDS })
    expect(noHeader.errors).toEqual([])
    // The only difference: the caller's `clocks.sm` versus the header's normalised name.
    expect(noHeader.rows.map(({ 'clocks.sm': sm, ...rest }) => ({ ...rest, 'clocks.current.sm': sm }))).toEqual(withHeader)
  })
})

describe('parseNvidiaSmiCsv edge cases', () => {
  it('reports rows whose column count does not match, with their line number', () => {
    const { rows, errors } = parseNvidiaSmiCsv('index, memory.used [MiB]\r\n0, 10 MiB\r\n1\r\n\r\n2, 30 MiB\r\n')
    expect(rows).toEqual([{ index: 0, 'memory.used': 10 }, { index: 2, 'memory.used': 30 }])
    expect(errors).toEqual([{ line: 3, reason: 'expected 2 columns, got 1' }])
  })

  it('maps every bracketed status marker to null and keeps version-like fields as text', () => {
    const { rows } = parseNvidiaSmiCsv('compute_cap, driver_version, power.draw [W], ecc.errors.corrected.volatile.total, pstate\n9.0, 551.61, [Not Supported], [Unknown Error], P8\n')
    expect(rows).toEqual([{ compute_cap: '9.0', driver_version: '551.61', 'power.draw': null, 'ecc.errors.corrected.volatile.total': null, pstate: 'P8' }])
  })

  it('returns nothing for empty input', () => {
    expect(parseNvidiaSmiCsv('')).toEqual({ rows: [], errors: [] })
  })

  it('strips bracketed units from header names', () => {
    expect(fieldKey('memory.total [MiB]')).toBe('memory.total')
    expect(fieldKey(' utilization.gpu [%] ')).toBe('utilization.gpu')
    expect(fieldKey('name')).toBe('name')
  })
})
