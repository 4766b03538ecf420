import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { renderPrometheusText } from './exposition.ts'
import { parsePrometheusText, type MetricFamily } from './prometheus.ts'

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')

const engine = (e: string): Record<string, string> => ({ engine: e, model_name: 'm"quoted"\\path\nline' })

// A histogram with two label sets, a counter, a gauge with specials and timestamps, a summary.
const families: MetricFamily[] = [
  {
    name: 'vllm:time_to_first_token_seconds',
    type: 'histogram',
    help: 'TTFT with a backslash \\ and\na newline.',
    samples: [
      ...[['0.1', 3], ['1.0', 7], ['+Inf', 9]].map(([le, v]) => ({ name: 'vllm:time_to_first_token_seconds_bucket', labels: { ...engine('0'), le: String(le) }, value: Number(v) })),
      { name: 'vllm:time_to_first_token_seconds_sum', labels: engine('0'), value: 4.25 },
      { name: 'vllm:time_to_first_token_seconds_count', labels: engine('0'), value: 9 },
      ...[['0.1', 0], ['1.0', 1], ['+Inf', 2]].map(([le, v]) => ({ name: 'vllm:time_to_first_token_seconds_bucket', labels: { ...engine('1'), le: String(le) }, value: Number(v) })),
      { name: 'vllm:time_to_first_token_seconds_sum', labels: engine('1'), value: 3.5 },
      { name: 'vllm:time_to_first_token_seconds_count', labels: engine('1'), value: 2 },
    ],
  },
  { name: 'vllm:request_success_total', type: 'counter', help: 'Count.', samples: [{ name: 'vllm:request_success_total', labels: { finished_reason: 'stop' }, value: 1234567 }] },
  {
    name: 'odd_values',
    type: 'gauge',
    samples: [
      { name: 'odd_values', labels: { k: 'nan' }, value: NaN },
      { name: 'odd_values', labels: { k: 'inf' }, value: Infinity, timestampMs: 1395066363000 },
      { name: 'odd_values', labels: { k: 'neg' }, value: -Infinity, timestampMs: -3982045 },
      { name: 'odd_values', labels: { k: 'tiny' }, value: 1e-7 },
      { name: 'odd_values', labels: { k: 'negzero' }, value: -0 },
    ],
  },
  { name: 'rpc', type: 'summary', samples: [{ name: 'rpc', labels: { quantile: '0.99' }, value: 0.9 }, { name: 'rpc_sum', labels: {}, value: 12 }, { name: 'rpc_count', labels: {}, value: 40 }] },
  { name: 'plain', type: 'untyped', samples: [{ name: 'plain', labels: {}, value: 3 }] },
]

describe('renderPrometheusText', () => {
  it('round-trips: parse(render(x)) deep-equals x, histograms included', () => {
    for (const numberStyle of ['go', 'python'] as const) {
      const parsed = parsePrometheusText(renderPrometheusText(families, { numberStyle }))
      expect(parsed.errors).toEqual([])
      expect(parsed.families).toEqual(families)
    }
  })

  it('reproduces the vLLM fixture byte for byte in Python number style', () => {
    // prometheus_client formatting: 14.0, 0.4127, 326629.0, 1.795236211241122e+09, +Inf.
    const text = fixture('vllm-metrics-v1.txt')
    expect(renderPrometheusText(parsePrometheusText(text).families, { numberStyle: 'python' })).toBe(text)
  })

  it('reproduces the conformance fixture semantically', () => {
    const { families: parsed } = parsePrometheusText(fixture('prometheus-edge-cases.txt'))
    expect(parsePrometheusText(renderPrometheusText(parsed)).families).toEqual(parsed)
  })

  it('writes HELP, TYPE, escaped label values and Go-style numbers', () => {
    const text = renderPrometheusText(families)
    const lines = text.split('\n')
    expect(lines[0]).toBe('# HELP vllm:time_to_first_token_seconds TTFT with a backslash \\\\ and\\na newline.')
    expect(lines[1]).toBe('# TYPE vllm:time_to_first_token_seconds histogram')
    expect(lines[2]).toBe('vllm:time_to_first_token_seconds_bucket{engine="0",model_name="m\\"quoted\\"\\\\path\\nline",le="0.1"} 3')
    expect(text).toContain('vllm:request_success_total{finished_reason="stop"} 1.234567e+06\n')
    expect(text).toContain('odd_values{k="nan"} NaN\nodd_values{k="inf"} +Inf 1395066363000\nodd_values{k="neg"} -Inf -3982045\nodd_values{k="tiny"} 1e-07\n')
    expect(text).toContain('# TYPE plain untyped\nplain 3\n')
    expect(text.endsWith('\n')).toBe(true)
  })

  it('adds the +Inf bucket a histogram series is missing, equal to its _count', () => {
    const hist: MetricFamily = {
      name: 'h',
      type: 'histogram',
      samples: [
        { name: 'h_bucket', labels: { a: 'x', le: '1' }, value: 2 },
        { name: 'h_bucket', labels: { a: 'x', le: '5' }, value: 4 },
        { name: 'h_count', labels: { a: 'x' }, value: 5 },
        { name: 'h_bucket', labels: { a: 'y', le: '1' }, value: 7 },
      ],
    }
    expect(renderPrometheusText([hist])).toBe(
      '# TYPE h histogram\nh_bucket{a="x",le="1"} 2\nh_bucket{a="x",le="5"} 4\nh_bucket{a="x",le="+Inf"} 5\nh_count{a="x"} 5\n' +
        'h_bucket{a="y",le="1"} 7\nh_bucket{a="y",le="+Inf"} 7\n',
    )
  })

  it('quotes metric and label names outside the classic charset', () => {
    const fam: MetricFamily = { name: 'http.server.requests', type: 'counter', samples: [{ name: 'http.server.requests', labels: { 'http.method': 'get' }, value: 1 }] }
    const text = renderPrometheusText([fam])
    expect(text).toBe('# TYPE "http.server.requests" counter\n{"http.server.requests","http.method"="get"} 1\n')
    expect(parsePrometheusText(text).families).toEqual([fam])
  })

  it('round-trips randomly generated families (names, label sets, escapes, special values)', () => {
    let seed = 42
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed % n
    }
    const pick = <T,>(items: readonly T[]): T => items[rand(items.length)] as T
    const names = ['a', 'a_b', 'vllm:x', 'vllm:x_y', 'DCGM_FI_DEV_X', 'ab', 'abc', 'Ω.name']
    const keys = ['k', 'kk', 'engine', 'le_x', 'model_name', 'UUID', 'with.dot']
    const values = ['', '0', 'x y', 'meta-llama/Llama-3.1-8B-Instruct', 'q"uote', 'back\\slash', 'new\nline', 'é ü 中', '}', '{a="b"}']
    const numbers = [0, 1, -1, 0.25, 1e-7, 123456789, 1.7952362112411304e9, NaN, Infinity, -Infinity, -0]
    for (let round = 0; round < 25; round++) {
      const generated: MetricFamily[] = names.map((name) => ({
        name,
        type: pick(['gauge', 'counter', 'untyped'] as const),
        ...(rand(2) === 0 ? { help: pick(values) } : {}),
        samples: Array.from({ length: rand(6) }, () => {
          const labels: Record<string, string> = {}
          for (let k = rand(5); k > 0; k--) labels[pick(keys)] = pick(values)
          return rand(3) === 0 ? { name, labels, value: pick(numbers), timestampMs: rand(2e9) - 1e9 } : { name, labels, value: pick(numbers) }
        }),
      }))
      const parsed = parsePrometheusText(renderPrometheusText(generated, { numberStyle: pick(['go', 'python'] as const) }))
      expect(parsed.errors).toEqual([])
      expect(parsed.families).toEqual(generated)
    }
  })

  it('renders nothing for no families', () => {
    expect(renderPrometheusText([])).toBe('')
  })
})
