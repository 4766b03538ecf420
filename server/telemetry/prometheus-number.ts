/**
 * Number syntax of the exposition format, both ways: parsing Go-ParseFloat-style values and
 * formatting them the way the two client libraries we meet do (Go client_golang and Python
 * prometheus_client, which vLLM uses).
 */

const SPECIAL_FLOATS = new Map<string, number>([
  ['nan', NaN],
  ['inf', Infinity],
  ['+inf', Infinity],
  ['infinity', Infinity],
  ['+infinity', Infinity],
  ['-inf', -Infinity],
  ['-infinity', -Infinity],
])

/**
 * Parses a Go-ParseFloat-style number: decimal or exponent notation plus NaN/±Inf in any case
 * (prom-client writes "Nan"). Returns undefined for anything else, including JS-only forms that
 * Number() would accept such as "0x1f" or "0b1".
 */
export function parseFloatToken(tok: string): number | undefined {
  const fast = decimalValue(tok, 0, tok.length)
  if (!Number.isNaN(fast)) return fast
  const v = Number(tok)
  // Number() also trims whitespace and reads "" as 0; Go's ParseFloat accepts neither.
  if (!Number.isNaN(v) && tok !== '' && tok.trim() === tok) {
    const second = tok.charCodeAt(1) | 32
    const radixPrefix = tok.charCodeAt(0) === 48 && (second === 120 || second === 98 || second === 111)
    if (!radixPrefix) return v
  }
  return SPECIAL_FLOATS.get(tok.toLowerCase())
}

// 10^k is exact in binary64 up to k = 22, so digits / 10^k is correctly rounded (Clinger).
const POW10 = Array.from({ length: 16 }, (_, k) => 10 ** k)

/**
 * Value of s[from, to) when it is a plain decimal (`-?d*.?d*`) of at most 15 digits, else NaN:
 * the parser's fast path, covering nearly every value vLLM and DCGM print.
 */
export function decimalValue(s: string, from: number, to: number): number {
  const negative = s.charCodeAt(from) === 45
  let mantissa = 0
  let digits = 0
  let dotAt = -1
  for (let i = negative ? from + 1 : from; i < to; i++) {
    const c = s.charCodeAt(i)
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48)
      digits++
    } else if (c === 46 && dotAt < 0) dotAt = i
    else return NaN
  }
  if (digits === 0 || digits > 15) return NaN
  const v = dotAt < 0 || dotAt === to - 1 ? mantissa : mantissa / (POW10[to - dotAt - 1] as number)
  return negative ? -v : v
}


/**
 * Parses a sample timestamp into epoch ms: integer milliseconds (may be negative) in text 0.0.4,
 * float seconds in OpenMetrics. Undefined when the token is not a valid timestamp.
 */
export function parseTimestampToken(tok: string, secondsFloat: boolean): number | undefined {
  if (secondsFloat) {
    const v = parseFloatToken(tok)
    return v === undefined || !Number.isFinite(v) ? undefined : Math.round(v * 1000)
  }
  // Go reads 0.0.4 timestamps with ParseInt: digits only, no exponent or fraction.
  let i = tok.charCodeAt(0) === 45 ? 1 : 0
  if (i === tok.length) return undefined
  for (; i < tok.length; i++) {
    const ch = tok.charCodeAt(i)
    if (ch < 48 || ch > 57) return undefined
  }
  return Number(tok)
}

/** Formats like Go client_golang (`strconv.FormatFloat(v, 'g', -1, 64)`): `1`, `0.25`, `1.5e+06`. */
export function formatGoFloat(v: number): string {
  const special = specialText(v)
  if (special !== undefined) return special
  if (v === 0) return Object.is(v, -0) ? '-0' : '0'
  const { digits, exp } = shortestDigits(v)
  // strconv's 'g' with shortest precision always uses 6 as the exponent-form threshold.
  const body = exp < -4 || exp >= 6 ? exponentForm(digits, exp) : fixedForm(digits, exp)
  return v < 0 ? `-${body}` : body
}

/**
 * Formats like Python prometheus_client's floatToGoString, i.e. what vLLM serves: `14.0`,
 * `0.4127`, `1.795236211241122e+09`. Python's repr plus its "Go switches to exponents sooner"
 * tweak for positive values, including the quirk that it writes `e+010` for exponents >= 10.
 */
export function formatPythonFloat(v: number): string {
  const special = specialText(v)
  if (special !== undefined) return special
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0'
  const { digits, exp } = shortestDigits(v)
  if (v > 0 && exp >= 6 && exp < 16) return `${mantissa(digits)}e+0${exp}`
  // Python's repr switches to exponent form below 1e-4 and from 1e16 on.
  const fixed = exp < -4 || exp >= 16 ? exponentForm(digits, exp) : withPoint(fixedForm(digits, exp))
  return v < 0 ? `-${fixed}` : fixed
}

function specialText(v: number): string | undefined {
  if (Number.isNaN(v)) return 'NaN'
  if (v === Infinity) return '+Inf'
  if (v === -Infinity) return '-Inf'
  return undefined
}

// Shortest round-tripping decimal digits of |v| and the decimal exponent of the first digit;
// JS and both client libraries all produce the same shortest digits.
function shortestDigits(v: number): { digits: string; exp: number } {
  const [m = '0', e = '0'] = Math.abs(v).toExponential().split('e')
  return { digits: m.replace('.', ''), exp: Number(e) }
}

function mantissa(digits: string): string {
  return digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits
}

function exponentForm(digits: string, exp: number): string {
  const abs = Math.abs(exp)
  return `${mantissa(digits)}e${exp < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`
}

function fixedForm(digits: string, exp: number): string {
  if (exp < 0) return `0.${'0'.repeat(-exp - 1)}${digits}`
  if (digits.length <= exp + 1) return digits + '0'.repeat(exp + 1 - digits.length)
  return `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`
}

function withPoint(text: string): string {
  return text.includes('.') ? text : `${text}.0`
}
