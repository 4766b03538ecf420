/**
 * Test helper: a tiny HTTP server that plays a vLLM server and a DCGM exporter from the
 * ecosystem-formats fixtures. Each vLLM scrape advances the counters and histograms by half of
 * the fixture's values (scrape n serves value × (1 + n/2)), so two consecutive scrapes have a
 * window whose request rate and latency distribution are known from the fixture itself.
 */
import Fastify, { type FastifyInstance } from 'fastify'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parsePrometheusText, type MetricFamily } from '../telemetry/prometheus.ts'
import { renderPrometheusText } from '../telemetry/exposition.ts'

const FIXTURES = fileURLToPath(new URL('../telemetry/fixtures/', import.meta.url))

/** A fixture's text (Appendix A: vllm-metrics-v1.txt, Appendix B: dcgm-exporter-h100x2.txt). */
export function fixtureText(name: string): string {
  return readFileSync(FIXTURES + name, 'utf8')
}

/** The vLLM fixture with cumulative series scaled by `factor` (gauges and `_created` unchanged). */
export function scaledVllm(families: readonly MetricFamily[], factor: number): MetricFamily[] {
  return families.map((f) => (f.type === 'counter' || f.type === 'histogram'
    ? { ...f, samples: f.samples.map((s) => ({ ...s, value: s.value * factor })) }
    : f))
}

/** A running fixture server. */
export interface FixtureServer { url: string; vllmScrapes: () => number; close(): Promise<void> }

/** Starts the fixture server on a free port: `/vllm/metrics`, `/dcgm/metrics`, `/broken/metrics` (500). */
export async function startFixtureServer(): Promise<FixtureServer> {
  const vllm = parsePrometheusText(fixtureText('vllm-metrics-v1.txt')).families
  const dcgm = fixtureText('dcgm-exporter-h100x2.txt')
  let n = 0
  const app: FastifyInstance = Fastify({ logger: false })
  const type = 'text/plain; version=0.0.4; charset=utf-8'
  app.get('/vllm/metrics', async (_req, reply) => reply.type(type).send(renderPrometheusText(scaledVllm(vllm, 1 + 0.5 * n++), { numberStyle: 'python' })))
  app.get('/dcgm/metrics', async (_req, reply) => reply.type(type).send(dcgm))
  app.get('/broken/metrics', async (_req, reply) => reply.status(500).send('exporter crashed'))
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return { url: `http://127.0.0.1:${port}`, vllmScrapes: () => n, close: () => app.close() }
}
