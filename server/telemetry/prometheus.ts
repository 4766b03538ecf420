/**
 * Prometheus text exposition format 0.0.4 parser, written in-house because both npm parsers fail
 * on vLLM output (colons in names, labelled histograms; see ecosystem-formats §3.3). It is a
 * tolerant superset that also accepts the OpenMetrics bits a scraper may meet: `# EOF`, `# UNIT`,
 * exemplars, seconds timestamps, and UTF-8 names quoted inside the braces.
 *
 * Families keep the name their HELP/TYPE lines declare (prometheus_client declares counters as
 * `x_total` and `_created` as separate gauge families), so render(parse(text)) reproduces the
 * input. Samples are attached by exact name first and then by suffix, so `x_total`/`x_created`
 * land in a family declared as `x` (OpenMetrics style) and `_bucket`/`_sum`/`_count` in their
 * histogram or summary regardless of line order.
 *
 * Not checked, because each would cost a lookup per sample on the hot path: duplicate series
 * (same name and labels twice) and histogram consistency (+Inf bucket equal to `_count`).
 */
import { parseFloatToken } from './prometheus-number.ts'
import { fail, LineScanner, ParseFailure } from './prometheus-scan.ts'

/** Metric types of the 0.0.4 format (OpenMetrics-only types are mapped onto these). */
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped'

/** One exposed time series value. */
export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
  timestampMs?: number
}

/** A HELP/TYPE group and every sample that belongs to it, in input order. */
export interface MetricFamily {
  name: string
  type: MetricType
  help?: string
  samples: Sample[]
}

/** A rejected input line: 1-based line number, the line itself (first 1000 chars) and why. */
export interface ParseError {
  line: number
  text: string
  reason: string
}

/** Everything parsed plus every line that could not be, so callers can alert on partial scrapes. */
export interface ParseResult {
  families: MetricFamily[]
  errors: ParseError[]
}

// OpenMetrics types have no 0.0.4 equivalent; map them to the closest one so callers see them.
const TYPES = new Map<string, MetricType>([
  ['counter', 'counter'],
  ['gauge', 'gauge'],
  ['histogram', 'histogram'],
  ['summary', 'summary'],
  ['untyped', 'untyped'],
  ['unknown', 'untyped'],
  ['info', 'gauge'],
  ['stateset', 'gauge'],
  ['gaugehistogram', 'histogram'],
])

const CHILD_SUFFIXES: Record<MetricType, readonly string[]> = {
  counter: ['_total', '_created'],
  histogram: ['_bucket', '_sum', '_count', '_created', '_gsum', '_gcount'],
  summary: ['_sum', '_count', '_created'],
  gauge: ['_info'],
  untyped: [],
}

const MAX_ERROR_TEXT = 1000

/** How a sample name relates to its family; buckets and quantiles need a numeric label. */
type Role = 'plain' | 'bucket' | 'quantile'

interface Entry {
  family: MetricFamily
  typed: boolean
}

interface Resolution {
  family: MetricFamily
  role: Role
}

/** Parses a whole exposition; never throws, every rejected line is listed in `errors`. */
export function parsePrometheusText(text: string): ParseResult {
  const index = new FamilyIndex()
  const errors: ParseError[] = []
  const scanner = new LineScanner(text, endsWithEof(text))
  let lineNo = 0
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start)
    if (end === -1) end = text.length
    lineNo++
    try {
      if (scanner.reset(start, end)) parseLine(scanner, index)
    } catch (e) {
      const reason = e instanceof ParseFailure ? e.reason : `internal parser error: ${String(e)}`
      errors.push({ line: lineNo, text: lineText(text, start, end), reason })
    }
    start = end + 1
  }
  return { families: index.families, errors }
}

function lineText(text: string, start: number, end: number): string {
  const line = text.slice(start, Math.min(end, start + MAX_ERROR_TEXT))
  return line.endsWith('\r') ? line.slice(0, -1) : line
}

// OpenMetrics expositions end with "# EOF" and use seconds timestamps; 0.0.4 uses milliseconds.
function endsWithEof(text: string): boolean {
  let end = text.length
  while (end > 0 && text.charCodeAt(end - 1) <= 32) end--
  return end >= 5 && text.startsWith('# EOF', end - 5)
}

function parseLine(sc: LineScanner, index: FamilyIndex): void {
  if (sc.isComment()) return parseComment(sc, index)
  sc.scanSample()
  index.addSample(sc.name, sc.labels, sc.value, sc.timestampMs)
}

function parseComment(sc: LineScanner, index: FamilyIndex): void {
  sc.i++ // '#'
  sc.skipBlanks()
  if (sc.atEnd()) return
  const keyword = sc.readToken()
  // Plain comments, "# EOF" and "# UNIT" carry nothing a 0.0.4 family can hold.
  if (keyword !== 'HELP' && keyword !== 'TYPE') return
  sc.skipBlanks()
  const name = sc.readMetaName()
  if (name === '') fail(`${keyword} line without a valid metric name`)
  if (sc.skipBlanks() === 0 && !sc.atEnd()) fail(`invalid metric name in ${keyword} line`)
  if (keyword === 'HELP') return index.setHelp(name, unescapeHelp(sc.rest()))
  if (sc.atEnd()) fail('TYPE line without a type')
  const typeTok = sc.readToken()
  sc.skipBlanks()
  if (!sc.atEnd()) fail('unexpected text after the type in TYPE line')
  index.setType(name, typeTok)
}

// HELP escapes only `\\` and `\n` in 0.0.4; OpenMetrics adds `\"`. Unknown escapes are kept
// verbatim rather than rejected: a docstring is not worth losing a family over.
function unescapeHelp(raw: string): string {
  if (!raw.includes('\\')) return raw
  let out = ''
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]
    const next = raw[i + 1]
    if (ch === '\\' && (next === '\\' || next === 'n' || next === '"')) {
      out += next === 'n' ? '\n' : next
      i++
    } else out += ch
  }
  return out
}

/** Families in declaration order, plus the name lookups that attach samples to them. */
class FamilyIndex {
  readonly families: MetricFamily[] = []
  private readonly byName = new Map<string, Entry>()
  // Sample name -> family; cleared whenever a family is declared because that can change answers.
  private readonly resolved = new Map<string, Resolution>()
  private lastName = ''
  private lastResolution: Resolution | undefined

  setHelp(name: string, help: string): void {
    const entry = this.byName.get(name) ?? this.create(name, 'untyped', false)
    if (entry.family.help !== undefined) fail(`duplicate HELP for ${name}`)
    entry.family.help = help
  }

  setType(name: string, typeTok: string): void {
    const type = TYPES.get(typeTok.toLowerCase())
    if (type === undefined) fail(`unknown metric type "${typeTok}"`)
    const entry = this.byName.get(name)
    if (entry === undefined) {
      this.create(name, type, true)
      return
    }
    if (entry.typed) fail(`duplicate TYPE for ${name}`)
    if (entry.family.samples.length > 0) fail(`TYPE for ${name} after its samples`)
    entry.family.type = type
    entry.typed = true
    this.forgetResolutions()
  }

  addSample(name: string, labels: Record<string, string>, value: number, timestampMs: number | undefined): void {
    // Consecutive samples nearly always share a name; skip the Map for them.
    let res = name === this.lastName ? this.lastResolution : this.resolved.get(name)
    if (res === undefined) {
      res = this.resolve(name)
      this.resolved.set(name, res)
    }
    this.lastName = name
    this.lastResolution = res
    if (res.role === 'bucket') checkNumericLabel(labels, 'le', 'histogram bucket')
    else if (res.role === 'quantile') checkNumericLabel(labels, 'quantile', 'summary sample')
    const sample: Sample = timestampMs === undefined ? { name, labels, value } : { name, labels, value, timestampMs }
    res.family.samples.push(sample)
  }

  private resolve(name: string): Resolution {
    const exact = this.byName.get(name)
    if (exact !== undefined) return { family: exact.family, role: exact.family.type === 'summary' ? 'quantile' : 'plain' }
    for (const [base, suffix] of candidateBases(name)) {
      const family = this.byName.get(base)?.family
      if (family !== undefined && CHILD_SUFFIXES[family.type].includes(suffix)) {
        return { family, role: suffix === '_bucket' ? 'bucket' : 'plain' }
      }
    }
    return { family: this.create(name, 'untyped', false).family, role: 'plain' }
  }

  private forgetResolutions(): void {
    this.resolved.clear()
    this.lastResolution = undefined
  }

  private create(name: string, type: MetricType, typed: boolean): Entry {
    const entry: Entry = { family: { name, type, samples: [] }, typed }
    this.families.push(entry.family)
    this.byName.set(name, entry)
    this.forgetResolutions()
    return entry
  }
}

// `x_created` may belong to a counter declared as `x_total` (prometheus_client's 0.0.4 naming).
function candidateBases(name: string): [string, string][] {
  const out: [string, string][] = []
  const cut = name.lastIndexOf('_')
  if (cut <= 0) return out
  const base = name.slice(0, cut)
  const suffix = name.slice(cut)
  out.push([base, suffix])
  if (suffix === '_created') out.push([`${base}_total`, '_created'])
  return out
}

function checkNumericLabel(labels: Record<string, string>, key: string, what: string): void {
  const raw = Object.hasOwn(labels, key) ? labels[key] : undefined
  if (raw === undefined) fail(`${what} without "${key}" label`)
  if (parseFloatToken(raw) === undefined) fail(`${what} has non-numeric ${key}="${raw}"`)
}
