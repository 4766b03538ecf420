/**
 * Parser for `nvidia-smi --query-gpu=... --format=csv[,noheader][,nounits]` output
 * (ecosystem-formats §2.2). nvidia-smi's text is not guaranteed stable across drivers, so columns
 * are addressed by header name, never by position, and unknown columns pass through.
 */
import type { MetricFamily } from './prometheus.ts'

/** A parsed cell: a number when the value is numeric (units stripped), null when unavailable. */
export type SmiValue = string | number | null

/** Parsed rows keyed by field name (header units removed) plus rejected lines. */
export interface SmiParseResult {
  rows: Record<string, SmiValue>[]
  errors: { line: number; reason: string }[]
}

/** With `--format=csv,noheader` the query's field list must be passed, in query order. */
export interface SmiParseOptions {
  fields?: readonly string[]
}

// Identifiers and versions that look numeric but are not quantities ("551.61" is a driver
// version, "9.0" a compute capability, serials can have leading zeros): always kept as text.
const TEXT_FIELDS: ReadonlySet<string> = new Set([
  'timestamp',
  'driver_version',
  'vbios_version',
  'serial',
  'gpu_serial',
  'uuid',
  'gpu_uuid',
  'name',
  'gpu_name',
  'pci.bus_id',
  'gpu_bus_id',
  'pci.domain',
  'pci.bus',
  'pci.device',
  'pci.device_id',
  'pci.sub_device_id',
  'compute_cap',
  'pstate',
  'inforom.img',
  'inforom.oem',
  'inforom.ecc',
  'inforom.pwr',
])

// `81559 MiB`, `45 %`, `512.87 W`, `1980 MHz`, or a bare number with nounits.
const NUMBER_WITH_UNIT = /^[-+]?(?:\d+\.?\d*|\.\d+)(?: [A-Za-z%/]+)?$/

/** Parses nvidia-smi CSV into rows by field name; never throws, bad lines go to `errors`. */
export function parseNvidiaSmiCsv(text: string, options: SmiParseOptions = {}): SmiParseResult {
  const errors: SmiParseResult['errors'] = []
  const rows: SmiParseResult['rows'] = []
  const lines = text.split('\n').map((line) => line.replace(/\r$/, ''))
  let fields = options.fields?.map(fieldKey)
  lines.forEach((line, i) => {
    if (line.trim() === '') return
    const cells = splitCells(line)
    if (fields === undefined) {
      fields = cells.map(fieldKey)
      return
    }
    if (cells.length !== fields.length) {
      errors.push({ line: i + 1, reason: `expected ${fields.length} columns, got ${cells.length}` })
      return
    }
    const row: Record<string, SmiValue> = {}
    cells.forEach((cell, c) => {
      const key = fields?.[c] as string
      row[key] = parseCell(key, cell)
    })
    rows.push(row)
  })
  return { rows, errors }
}

// nvidia-smi separates with ", " and never quotes; values themselves contain no commas for the
// query fields we use. Surrounding blanks are trimmed.
function splitCells(line: string): string[] {
  return line.split(',').map((cell) => cell.trim())
}

/** Field key for a header cell: `memory.total [MiB]` → `memory.total`. */
export function fieldKey(header: string): string {
  return header.replace(/\s*\[[^\]]*\]\s*$/, '').trim()
}

function parseCell(key: string, cell: string): SmiValue {
  // Any bracketed value is a status marker: [N/A], [Not Supported], [Unknown Error], ...
  if (cell.startsWith('[') && cell.endsWith(']')) return null
  if (cell === 'N/A' || cell === '') return null
  if (TEXT_FIELDS.has(key) || !NUMBER_WITH_UNIT.test(cell)) return cell
  return Number.parseFloat(cell)
}

/** The fields the runtime asks nvidia-smi for: what it maps onto DCGM's names, plus identity. */
export const SMI_QUERY_FIELDS = ['index', 'uuid', 'name', 'memory.used', 'memory.free', 'utilization.gpu', 'temperature.gpu', 'power.draw'] as const

// nvidia-smi field → the DCGM exporter series with the same meaning and unit (ecosystem-formats §2)
const AS_DCGM: readonly (readonly [string, string, MetricFamily['type']])[] = [
  ['utilization.gpu', 'DCGM_FI_DEV_GPU_UTIL', 'gauge'],
  ['memory.used', 'DCGM_FI_DEV_FB_USED', 'gauge'],
  ['memory.free', 'DCGM_FI_DEV_FB_FREE', 'gauge'],
  ['power.draw', 'DCGM_FI_DEV_POWER_USAGE', 'gauge'],
  ['temperature.gpu', 'DCGM_FI_DEV_GPU_TEMP', 'gauge'],
]

/**
 * nvidia-smi rows as the DCGM exporter's families (labels `gpu`, `UUID`, `modelName`, `Hostname`),
 * so a fleet without a DCGM exporter feeds the same GPU signals through the same code.
 */
export function smiAsDcgmFamilies(rows: readonly Record<string, SmiValue>[], hostname: string): MetricFamily[] {
  return AS_DCGM.map(([field, name, type]) => ({
    name, type,
    samples: rows.flatMap((r) => {
      const v = r[field]
      if (typeof v !== 'number' || r.index === null || r.index === undefined) return []
      const labels: Record<string, string> = { gpu: String(r.index), Hostname: hostname }
      if (typeof r.uuid === 'string') labels.UUID = r.uuid
      if (typeof r.name === 'string') labels.modelName = r.name
      return [{ name, labels, value: v }]
    }),
  }))
}
