/**
 * Prometheus text format 0.0.4 writer, the inverse of parsePrometheusText: the fleet simulator
 * serves its `/metrics` with it, so whatever scrapes the simulator sees the same bytes shape a
 * real vLLM or DCGM exporter produces.
 */
import { formatGoFloat, formatPythonFloat, parseFloatToken } from './prometheus-number.ts'
import type { MetricFamily, Sample } from './prometheus.ts'
import { seriesKey } from './series.ts'

/** `go`: client_golang number style (`14`, DCGM-like); `python`: prometheus_client (`14.0`, vLLM). */
export type NumberStyle = 'go' | 'python'

/** Rendering choices that real exporters differ on. */
export interface RenderOptions {
  numberStyle?: NumberStyle
}

const LEGACY_METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LEGACY_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/

/**
 * Renders families as text 0.0.4: HELP (when set) and TYPE lines, then samples in the given
 * order. Histogram series without an `le="+Inf"` bucket get one (valid output requires it).
 */
export function renderPrometheusText(families: readonly MetricFamily[], options: RenderOptions = {}): string {
  const formatNumber = options.numberStyle === 'python' ? formatPythonFloat : formatGoFloat
  const out: string[] = []
  for (const family of families) {
    const name = renderMetaName(family.name)
    if (family.help !== undefined) out.push(`# HELP ${name} ${escapeHelp(family.help)}\n`)
    out.push(`# TYPE ${name} ${family.type}\n`)
    const samples = family.type === 'histogram' ? withInfBuckets(family) : family.samples
    for (const sample of samples) out.push(renderSample(sample, formatNumber))
  }
  return out.join('')
}

function renderSample(sample: Sample, formatNumber: (v: number) => string): string {
  const parts: string[] = []
  const legacyName = LEGACY_METRIC_NAME.test(sample.name)
  // Names outside the classic charset go inside the braces, quoted (text format 1.0.0 style).
  if (!legacyName) parts.push(`"${escapeLabelValue(sample.name)}"`)
  for (const [key, value] of Object.entries(sample.labels)) {
    const renderedKey = LEGACY_LABEL_NAME.test(key) ? key : `"${escapeLabelValue(key)}"`
    parts.push(`${renderedKey}="${escapeLabelValue(value)}"`)
  }
  let line = legacyName ? sample.name : ''
  if (parts.length > 0) line += `{${parts.join(',')}}`
  line += ` ${formatNumber(sample.value)}`
  if (sample.timestampMs !== undefined) line += ` ${Math.round(sample.timestampMs)}`
  return `${line}\n`
}

function renderMetaName(name: string): string {
  return LEGACY_METRIC_NAME.test(name) ? name : `"${escapeLabelValue(name)}"`
}

/** Escapes a label value for the exposition: backslash, double quote and newline. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (ch) => (ch === '\n' ? '\\n' : `\\${ch}`))
}

function escapeHelp(help: string): string {
  return help.replace(/[\\\n]/g, (ch) => (ch === '\n' ? '\\n' : '\\\\'))
}

interface BucketSeries {
  lastIndex: number
  hasInf: boolean
  maxCount: number
}

// Adds `le="+Inf"` after the last bucket of every series that lacks one; its count is the
// series' `_count` when present, else the largest bucket count (buckets are cumulative).
function withInfBuckets(family: MetricFamily): Sample[] {
  const bucketName = `${family.name}_bucket`
  const series = new Map<string, BucketSeries>()
  const counts = new Map<string, number>()
  family.samples.forEach((s, i) => {
    if (s.name === `${family.name}_count`) counts.set(seriesKey(s.labels), s.value)
    if (s.name !== bucketName) return
    const key = seriesKey(s.labels, 'le')
    const entry = series.get(key) ?? { lastIndex: i, hasInf: false, maxCount: -Infinity }
    entry.lastIndex = i
    entry.hasInf ||= parseFloatToken(s.labels.le ?? '') === Infinity
    entry.maxCount = Math.max(entry.maxCount, s.value)
    series.set(key, entry)
  })
  const missing = new Map([...series].filter(([, e]) => !e.hasInf).map(([key, e]) => [e.lastIndex, key]))
  if (missing.size === 0) return family.samples
  return family.samples.flatMap((s, i) => {
    const key = missing.get(i)
    if (key === undefined) return [s]
    const value = counts.get(key) ?? (series.get(key)?.maxCount as number)
    return [s, { name: bucketName, labels: { ...s.labels, le: '+Inf' }, value }]
  })
}
