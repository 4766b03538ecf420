/**
 * Prometheus text parsing speed on real exporter output: the Appendix A vLLM fixture and the
 * Appendix B DCGM fixture, each parsed repeatedly (one parse = one scrape).
 */
import { parsePrometheusText } from '../server/telemetry/prometheus.ts'
import { fixtureText } from '../server/runtime/fixture-server.ts'
import { timed, type BenchResult } from './bench.ts'

const SECONDS = 2

function samplesPerSecond(text: string): { rate: number; samples: number; scrapes: number } {
  const samples = parsePrometheusText(text).families.reduce((a, f) => a + f.samples.length, 0)
  for (let i = 0; i < 200; i++) parsePrometheusText(text) // warm-up
  let scrapes = 0
  const t0 = performance.now()
  while (performance.now() - t0 < SECONDS * 1000) {
    for (let i = 0; i < 100; i++) parsePrometheusText(text)
    scrapes += 100
  }
  return { rate: (scrapes * samples) / ((performance.now() - t0) / 1000), samples, scrapes }
}

/** Runs the parser suite. */
export async function run(): Promise<BenchResult[]> {
  const out: BenchResult[] = []
  for (const [name, file] of [['vLLM (Appendix A)', 'vllm-metrics-v1.txt'], ['DCGM (Appendix B)', 'dcgm-exporter-h100x2.txt']] as const) {
    const text = fixtureText(file)
    const { result } = await timed(() => samplesPerSecond(text))
    out.push({ name: `parser ${name}`, value: result.rate, unit: 'samples/s', target: null, note: `${result.samples} samples per scrape, ${result.scrapes} scrapes, ${Math.round(result.rate / result.samples)} scrapes/s` })
  }
  return out
}
