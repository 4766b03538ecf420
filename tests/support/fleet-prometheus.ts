/**
 * A real Prometheus scraping a customer's simulated fleet as a platform team's would: every vLLM
 * and DCGM target the runtime API lists (labelled with deployment, group and node), plus the
 * cluster's kube-state-metrics. Shared by the integration and browser tests of telemetry sources.
 */
import { simPaths } from '../../server/cloud/simulator/deployments.ts'
import { startPrometheus, type RunningPrometheus } from '../../server/test/prometheus-server.ts'
import { waitFor, type TestPlatform } from '../../server/test/platform.ts'

interface Target { kind: string; url: string; deployment_id: string; group: string; instance_id?: string }

/** The Prometheus configuration: one scrape job for the fleet's exporters, one for kube-state-metrics. */
export function fleetScrapeConfig(base: string, token: string, targets: Target[], customerId: string): string {
  const origin = new URL(base)
  const statics = targets.map((t) => {
    const labels = { __metrics_path__: new URL(t.url, base).pathname, deployment_id: t.deployment_id, group: t.group, ...(t.instance_id ? { node: t.instance_id } : {}) }
    return `      - targets: ["${origin.host}"]\n        labels: ${JSON.stringify(labels)}`
  })
  return `global: { scrape_interval: 1s }
scrape_configs:
  - job_name: fleet
    authorization: { credentials: ${token} }
    static_configs:
${statics.join('\n')}
  - job_name: kube-state-metrics
    authorization: { credentials: ${token} }
    metrics_path: ${simPaths.kubeStateMetrics(customerId)}
    static_configs:
      - targets: ["${origin.host}"]
`
}

/** Starts a Prometheus on the customer's fleet and waits until it has scraped every deployment three times. */
export async function prometheusOnFleet(p: TestPlatform, c: { customerId: string; token: string }): Promise<{ prom: RunningPrometheus; deploymentIds: string[] }> {
  const runtimeToken = (await p.http('GET', `/customers/${c.customerId}/agent-install-command`, { token: c.token })).body.agent_token as string
  const targets = (await p.http<{ targets: Target[] }>('GET', '/agent-runtime/targets', { token: runtimeToken })).body.targets
  const deploymentIds = [...new Set(targets.map((t) => t.deployment_id))].sort()
  const prom = await startPrometheus(fleetScrapeConfig(p.url, runtimeToken, targets, c.customerId))
  // a few scrapes, so rates and quantiles have a window
  await waitFor(async () => {
    const r = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent('count(count_over_time(vllm:num_requests_running[1m]) >= 3)')}`)
    const body = await r.json() as { data: { result: { value: [number, string] }[] } }
    return Number(body.data.result[0]?.value[1] ?? 0) >= deploymentIds.length
  }, { timeoutMs: 45_000, what: `three scrapes of each deployment (${prom.output().slice(-400)})` })
  return { prom, deploymentIds }
}
