import { describe, expect, it } from 'vitest'
import { decimalValue, formatGoFloat, formatPythonFloat, parseFloatToken, parseTimestampToken } from './prometheus-number.ts'

describe('number formatting', () => {
  /*
   * | value               | Go (client_golang)       | Python (prometheus_client)  |
   * |---------------------|--------------------------|-----------------------------|
   * | 0 / -0              | 0 / -0                   | 0.0 / -0.0                  |
   * | 14                  | 14                       | 14.0                        |
   * | 0.4127              | 0.4127                   | 0.4127                      |
   * | 326629              | 326629                   | 326629.0                    |
   * | 1234567             | 1.234567e+06             | 1.234567e+06                |
   * | -1234567            | -1.234567e+06            | -1234567.0 (no tweak < 0)   |
   * | 1795236211.241122   | 1.795236211241122e+09    | 1.795236211241122e+09       |
   * | 12345678901.5       | 1.23456789015e+10        | 1.23456789015e+010 (quirk)  |
   * | 1e15 / 1e16         | 1e+15 / 1e+16            | 1e+015 / 1e+16              |
   * | 0.0001 / 0.00001    | 0.0001 / 1e-05           | 0.0001 / 1e-05              |
   * | NaN, +Inf, -Inf     | NaN, +Inf, -Inf          | NaN, +Inf, -Inf             |
   */
  const table: [number, string, string][] = [
    [0, '0', '0.0'],
    [-0, '-0', '-0.0'],
    [14, '14', '14.0'],
    [0.4127, '0.4127', '0.4127'],
    [326629, '326629', '326629.0'],
    [123456.7, '123456.7', '123456.7'],
    [1234567, '1.234567e+06', '1.234567e+06'],
    [-1234567, '-1.234567e+06', '-1234567.0'],
    [1795236211.241122, '1.795236211241122e+09', '1.795236211241122e+09'],
    [12345678901.5, '1.23456789015e+10', '1.23456789015e+010'],
    [1e15, '1e+15', '1e+015'],
    [1e16, '1e+16', '1e+16'],
    [0.0001, '0.0001', '0.0001'],
    [0.00001, '1e-05', '1e-05'],
    [5e-324, '5e-324', '5e-324'],
    [NaN, 'NaN', 'NaN'],
    [Infinity, '+Inf', '+Inf'],
    [-Infinity, '-Inf', '-Inf'],
  ]

  it.each(table)('formats %d as Go %s and Python %s', (value, go, python) => {
    expect(formatGoFloat(value)).toBe(go)
    expect(formatPythonFloat(value)).toBe(python)
    expect(parseFloatToken(go)).toBe(value)
    expect(parseFloatToken(python)).toBe(value)
  })
})

describe('number parsing', () => {
  it('parses Go ParseFloat spellings of the special values', () => {
    for (const tok of ['NaN', 'nan', 'Nan']) expect(parseFloatToken(tok)).toBeNaN()
    for (const tok of ['+Inf', 'inf', '+inf', 'Infinity', '+infinity']) expect(parseFloatToken(tok)).toBe(Infinity)
    for (const tok of ['-Inf', '-inf', '-Infinity']) expect(parseFloatToken(tok)).toBe(-Infinity)
  })

  it('rejects what Go would reject even when Number() accepts it', () => {
    for (const tok of ['0x1f', '0b1', '0o7', '', ' ', 'abc', '1e', '.', '-', '1_000']) expect(parseFloatToken(tok)).toBeUndefined()
  })

  it('parses plain decimals in place exactly as Number() does', () => {
    const samples = ['0', '1', '14.0', '0.4127', '92.23543997033471', '-3.25', '1.', '.5', '007', '123456789012345', '0.1', '0.3', '2560.0']
    for (const tok of samples) expect(parseFloatToken(tok)).toBe(Number(tok))
    // 16 significant digits are outside the exact fast path and take Number() instead.
    expect(decimalValue('1234567890123456', 0, 16)).toBeNaN()
    expect(decimalValue('x 12.5 y', 2, 6)).toBe(12.5)
  })
})

describe('timestamp parsing', () => {
  it('reads integer milliseconds in text 0.0.4 and float seconds in OpenMetrics', () => {
    expect(parseTimestampToken('1395066363000', false)).toBe(1395066363000)
    expect(parseTimestampToken('-3982045', false)).toBe(-3982045)
    expect(parseTimestampToken('1520879607.789', true)).toBe(1520879607789)
    for (const tok of ['1.5', '1e3', '-', '', '12a']) expect(parseTimestampToken(tok, false)).toBeUndefined()
    expect(parseTimestampToken('NaN', true)).toBeUndefined()
  })
})
