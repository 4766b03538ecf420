import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parsePrometheusText, type MetricFamily } from './prometheus.ts'

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')
const family = (families: MetricFamily[], name: string): MetricFamily => {
  const found = families.find((f) => f.name === name)
  if (found === undefined) throw new Error(`no family ${name}`)
  return found
}

describe('parsePrometheusText on the vLLM fixture (Appendix A)', () => {
  /*
   * | family                                      | type      | samples | checked value                      |
   * |---------------------------------------------|-----------|---------|------------------------------------|
   * | vllm:num_requests_running                   | gauge     | 1       | 14                                 |
   * | vllm:kv_cache_usage_perc                    | gauge     | 1       | 0.4127                             |
   * | vllm:prompt_tokens_total                    | counter   | 1       | 326629                             |
   * | vllm:generation_tokens_created              | gauge     | 1       | 1.795236211241111e9                |
   * | vllm:request_success_total                  | counter   | 5       | stop 171, length 27, abort 2 (=200)|
   * | vllm:time_to_first_token_seconds            | histogram | 25      | 23 buckets + count 200 + sum 92.2… |
   * | vllm:cache_config_info                      | gauge     | 1       | 1, num_gpu_blocks="27152"          |
   * 26 families, 139 samples, 0 errors.
   */
  const { families, errors } = parsePrometheusText(fixture('vllm-metrics-v1.txt'))

  it('parses every line without errors', () => {
    expect(errors).toEqual([])
    expect(families).toHaveLength(26)
    expect(families.reduce((n, f) => n + f.samples.length, 0)).toBe(139)
  })

  it('keeps colons in metric names', () => {
    const running = family(families, 'vllm:num_requests_running')
    expect(running.type).toBe('gauge')
    expect(running.help).toBe('Number of requests in model execution batches.')
    expect(running.samples).toEqual([
      { name: 'vllm:num_requests_running', labels: { engine: '0', model_name: 'meta-llama/Llama-3.1-8B-Instruct' }, value: 14 },
    ])
    expect(family(families, 'vllm:kv_cache_usage_perc').samples[0]?.value).toBe(0.4127)
  })

  it('keeps counters under the name their TYPE line declares and _created as its own gauge family', () => {
    expect(family(families, 'vllm:prompt_tokens_total')).toMatchObject({ type: 'counter', samples: [{ value: 326629 }] })
    expect(family(families, 'vllm:generation_tokens_created')).toMatchObject({ type: 'gauge', samples: [{ value: 1.795236211241111e9 }] })
    const reasons = family(families, 'vllm:request_success_total').samples.map((s) => [s.labels.finished_reason, s.value])
    expect(reasons).toEqual([['stop', 171], ['length', 27], ['abort', 2], ['error', 0], ['repetition', 0]])
  })

  it('groups _bucket, _count and _sum under the histogram family', () => {
    const ttft = family(families, 'vllm:time_to_first_token_seconds')
    expect(ttft.type).toBe('histogram')
    expect(ttft.samples).toHaveLength(25)
    const buckets = ttft.samples.filter((s) => s.name.endsWith('_bucket'))
    expect(buckets.map((b) => b.labels.le)).toContain('+Inf')
    expect(buckets.find((b) => b.labels.le === '0.25')?.value).toBe(49)
    expect(ttft.samples.find((s) => s.name.endsWith('_count'))?.value).toBe(200)
    expect(ttft.samples.find((s) => s.name.endsWith('_sum'))?.value).toBe(92.23543997033471)
  })

  it('keeps labels of an info-style gauge as strings', () => {
    const info = family(families, 'vllm:cache_config_info').samples[0]
    expect(info?.labels).toMatchObject({ block_size: '16', num_gpu_blocks: '27152', num_cpu_blocks: 'None', enable_prefix_caching: 'True' })
    expect(info?.value).toBe(1)
  })
})

describe('parsePrometheusText on the DCGM fixture (Appendix B)', () => {
  /*
   * | metric                           | gpu 0       | gpu 1     |
   * |----------------------------------|-------------|-----------|
   * | DCGM_FI_DEV_POWER_USAGE          | 512.874     | 69.12     |
   * | DCGM_FI_DEV_TOTAL_ENERGY_CONS.   | 482913377104 (counter, no _total) | 61822046511 |
   * | DCGM_FI_PROF_GR_ENGINE_ACTIVE    | 0.913474    | 0         |
   * 12 families × 2 samples; pod labels only on gpu 0.
   */
  const { families, errors } = parsePrometheusText(fixture('dcgm-exporter-h100x2.txt'))

  it('parses all 12 families with two GPUs each', () => {
    expect(errors).toEqual([])
    expect(families.map((f) => f.samples.length)).toEqual(Array(12).fill(2))
  })

  it('reads labels in the exporter order and six-decimal values', () => {
    const power = family(families, 'DCGM_FI_DEV_POWER_USAGE').samples
    expect(Object.keys(power[0]?.labels ?? {})).toEqual(['gpu', 'UUID', 'pci_bus_id', 'device', 'modelName', 'Hostname', 'DCGM_FI_DRIVER_VERSION', 'container', 'namespace', 'pod'])
    expect(power.map((s) => s.value)).toEqual([512.874, 69.12])
    expect(family(families, 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION')).toMatchObject({ type: 'counter', samples: [{ value: 482913377104 }, { value: 61822046511 }] })
  })
})

describe('parsePrometheusText on the conformance fixture (Appendix D)', () => {
  /*
   * | family / sample                  | expected                                          |
   * |----------------------------------|---------------------------------------------------|
   * | http_requests_total code=200     | 1027 @ 1395066363000 ms                           |
   * | http_requests_total code=400     | 3 (several blanks before value)                   |
   * | msdos_file_access_time_seconds   | path C:\DIR\FILE.TXT, error with LF and quotes    |
   * | something_weird                  | +Inf @ -3982045 ms                                |
   * | special_values                   | NaN, NaN ("Nan"), -Inf                            |
   * | trailing_comma                   | {gc: "Copy"} 104                                  |
   * | escaped_help                     | help "…backslash \ and a newline <LF> in it."     |
   * | odd_order_seconds                | sum 0.9 first, buckets 0.1→3, 1→4, +Inf→4, count 4 |
   */
  const { families, errors } = parsePrometheusText(fixture('prometheus-edge-cases.txt'))
  const values = (name: string): number[] => family(families, name).samples.map((s) => s.value)

  it('ignores plain comments and blank lines', () => {
    expect(errors).toEqual([])
    expect(families.map((f) => f.name)).toEqual([
      'http_requests_total', 'msdos_file_access_time_seconds', 'metric_without_timestamp_and_labels', 'something_weird',
      'special_values', 'empty_labels', 'trailing_comma', 'escaped_help', 'odd_order_seconds',
    ])
  })

  it('reads optional millisecond timestamps, including negative ones', () => {
    expect(family(families, 'http_requests_total').samples).toEqual([
      { name: 'http_requests_total', labels: { method: 'post', code: '200' }, value: 1027, timestampMs: 1395066363000 },
      { name: 'http_requests_total', labels: { method: 'post', code: '400' }, value: 3, timestampMs: 1395066363000 },
    ])
    expect(family(families, 'something_weird').samples[0]).toMatchObject({ value: Infinity, timestampMs: -3982045 })
  })

  it('unescapes backslash, double quote and newline in label values', () => {
    expect(family(families, 'msdos_file_access_time_seconds').samples[0]).toEqual({
      name: 'msdos_file_access_time_seconds',
      labels: { path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"' },
      value: 1458255915,
    })
  })

  it('accepts NaN in any case and ±Inf', () => {
    expect(values('special_values')).toEqual([NaN, NaN, -Infinity])
  })

  it('accepts empty braces, a trailing comma and untyped samples', () => {
    expect(family(families, 'empty_labels')).toEqual({ name: 'empty_labels', type: 'untyped', samples: [{ name: 'empty_labels', labels: {}, value: 0 }] })
    expect(family(families, 'trailing_comma').samples[0]).toEqual({ name: 'trailing_comma', labels: { gc: 'Copy' }, value: 104 })
    expect(family(families, 'metric_without_timestamp_and_labels').samples[0]?.value).toBe(12.47)
  })

  it('unescapes HELP text', () => {
    expect(family(families, 'escaped_help').help).toBe('Help text with a backslash \\ and a newline \n in it.')
  })

  it('groups a histogram whose _sum comes first and whose labels are in any order', () => {
    const hist = family(families, 'odd_order_seconds')
    expect(hist.type).toBe('histogram')
    expect(hist.samples.map((s) => [s.name.replace('odd_order_seconds', ''), s.labels.le ?? null, s.labels.engine, s.value])).toEqual([
      ['_sum', null, '0', 0.9],
      ['_bucket', '0.1', '0', 3],
      ['_bucket', '1', '0', 4],
      ['_bucket', '+Inf', '0', 4],
      ['_count', null, '0', 4],
    ])
  })
})

describe('parsePrometheusText line handling', () => {
  it('handles CRLF line endings and a missing final newline', () => {
    const { families, errors } = parsePrometheusText('# TYPE a gauge\r\na{x="1"} 1\r\n\r\nb 2')
    expect(errors).toEqual([])
    expect(families.map((f) => [f.name, f.type, f.samples.map((s) => s.value)])).toEqual([['a', 'gauge', [1]], ['b', 'untyped', [2]]])
  })

  it('accepts TYPE before HELP and HELP without TYPE', () => {
    const { families } = parsePrometheusText('# TYPE a counter\n# HELP a first\na 1\n# HELP b only help\nb 2\n')
    expect(families).toEqual([
      { name: 'a', type: 'counter', help: 'first', samples: [{ name: 'a', labels: {}, value: 1 }] },
      { name: 'b', type: 'untyped', help: 'only help', samples: [{ name: 'b', labels: {}, value: 2 }] },
    ])
  })

  it('groups _total and _created samples under a counter family declared without the suffix', () => {
    const { families, errors } = parsePrometheusText('# TYPE req counter\nreq_total{a="x"} 5\nreq_created{a="x"} 1.7e9\n')
    expect(errors).toEqual([])
    expect(families).toHaveLength(1)
    expect(families[0]?.samples.map((s) => s.name)).toEqual(['req_total', 'req_created'])
  })

  it('groups summary quantiles, _sum and _count', () => {
    const text = '# TYPE rpc summary\nrpc{quantile="0.5"} 0.2\nrpc{quantile="0.99"} 0.9\nrpc_sum 12\nrpc_count 40\n'
    const { families, errors } = parsePrometheusText(text)
    expect(errors).toEqual([])
    expect(families[0]).toMatchObject({ name: 'rpc', type: 'summary' })
    expect(families[0]?.samples.map((s) => s.value)).toEqual([0.2, 0.9, 12, 40])
  })

  it('accepts blanks around label tokens and tabs between fields', () => {
    const { families, errors } = parsePrometheusText('m { a = "1" , b="2" }\t7\t1000\n')
    expect(errors).toEqual([])
    expect(families[0]?.samples[0]).toEqual({ name: 'm', labels: { a: '1', b: '2' }, value: 7, timestampMs: 1000 })
  })

  it('accepts exponent notation, signs and values beyond the fast path', () => {
    const { families } = parsePrometheusText('a 1.458255915e9\nb -0.5\nc +3\nd 1.7952362112411304e+09\ne -0\n')
    expect(families.map((f) => f.samples[0]?.value)).toEqual([1458255915, -0.5, 3, 1.7952362112411304e9, -0])
  })

  it('reads a UTF-8 metric name quoted inside the braces', () => {
    const { families, errors } = parsePrometheusText('# TYPE "http.server.requests" counter\n{"http.server.requests","http.request.method"="get"} 171\n')
    expect(errors).toEqual([])
    expect(families).toEqual([
      { name: 'http.server.requests', type: 'counter', samples: [{ name: 'http.server.requests', labels: { 'http.request.method': 'get' }, value: 171 }] },
    ])
  })

  it('reads OpenMetrics input: seconds timestamps, exemplars, UNIT and EOF', () => {
    const text = '# TYPE foo histogram\n# UNIT foo seconds\nfoo_bucket{le="0.1"} 8 1520879607.789 # {trace_id="abc"} 0.054\nfoo_bucket{le="+Inf"} 9 # {trace_id="d"} 2\nfoo_count 9\n# EOF\n'
    const { families, errors } = parsePrometheusText(text)
    expect(errors).toEqual([])
    expect(families[0]?.samples[0]).toEqual({ name: 'foo_bucket', labels: { le: '0.1' }, value: 8, timestampMs: 1520879607789 })
    expect(families[0]?.samples).toHaveLength(3)
  })

  it('tells apart names that extend the previous line\'s name', () => {
    const { families, errors } = parsePrometheusText('ab{k="1"} 1\nabc{k="1",kk="2"} 2\nab{k="1"} 3\n')
    expect(errors).toEqual([])
    expect(families.map((f) => [f.name, f.samples.map((s) => [s.labels, s.value])])).toEqual([
      ['ab', [[{ k: '1' }, 1], [{ k: '1' }, 3]]],
      ['abc', [[{ k: '1', kk: '2' }, 2]]],
    ])
  })

  it('does not accept a bare label name just because the previous line quoted it', () => {
    const { errors } = parsePrometheusText('m{"a.b"="1"} 1\nm{a.b="1"} 2\n')
    expect(errors.map((e) => e.line)).toEqual([2])
  })

  it('treats a label called __proto__ as an ordinary label', () => {
    const { families } = parsePrometheusText('m{__proto__="x",constructor="y"} 1\n')
    const labels = families[0]?.samples[0]?.labels ?? {}
    expect(Object.keys(labels)).toEqual(['__proto__', 'constructor'])
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype)
  })
})

describe('parsePrometheusText errors', () => {
  /*
   * Every malformed line is reported with its 1-based number and a reason; the lines around it
   * still parse.
   */
  const bad: [string, RegExp][] = [
    ['m{a="1"', /unterminated/],
    ['m{a="1} 2', /unterminated quoted string/],
    ['m{a="x\\t"} 1', /invalid escape/],
    ['m{a="1",a="2"} 3', /duplicate label "a"/],
    ['m{1a="x"} 1', /invalid label name/],
    ['m{a} 1', /expected '='/],
    ['m{a=1} 1', /expected '"'/],
    ['m', /missing sample value/],
    ['m abc', /invalid sample value "abc"/],
    ['m 0x1f', /invalid sample value/],
    ['m 1 12.5', /invalid timestamp/],
    ['m 1 2 3', /unexpected text/],
    ['1m 1', /invalid metric name/],
    ['m{a="1"}2', /expected whitespace after '}'/],
    ['# TYPE m bogus', /unknown metric type "bogus"/],
    ['# TYPE', /TYPE line without a valid metric name/],
  ]

  it.each(bad)('rejects %j', (line, reason) => {
    const { families, errors } = parsePrometheusText(`ok 1\n${line}\nok 2\n`)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ line: 2, text: line })
    expect(errors[0]?.reason).toMatch(reason)
    expect(families[0]?.samples.map((s) => s.value)).toEqual([1, 2])
  })

  it('rejects a histogram bucket without a numeric le', () => {
    const { errors } = parsePrometheusText('# TYPE h histogram\nh_bucket{x="1"} 1\nh_bucket{le="big"} 1\n')
    expect(errors.map((e) => [e.line, e.reason])).toEqual([
      [2, 'histogram bucket without "le" label'],
      [3, 'histogram bucket has non-numeric le="big"'],
    ])
  })

  it('rejects duplicate HELP/TYPE and a TYPE that comes after samples', () => {
    const { errors } = parsePrometheusText('# HELP a x\n# HELP a y\n# TYPE a gauge\n# TYPE a gauge\nb 1\n# TYPE b gauge\n')
    expect(errors.map((e) => [e.line, e.reason])).toEqual([
      [2, 'duplicate HELP for a'],
      [4, 'duplicate TYPE for a'],
      [6, 'TYPE for b after its samples'],
    ])
  })

  it('never throws on arbitrary input', () => {
    const junk = ['{', '}', '"', '\\', '#', ' ', '\n', 'a', '=', ',', '1', 'e', '\r', '\t', ':', 'é'].join('')
    for (let i = 0; i < 200; i++) {
      const text = Array.from({ length: 40 }, (_, k) => junk[(i * 7 + k * 13 + ((i * k) % 5)) % junk.length]).join('')
      expect(() => parsePrometheusText(text)).not.toThrow()
    }
  })
})
