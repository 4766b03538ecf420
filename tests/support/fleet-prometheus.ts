/**
 * A real Prometheus scraping a customer's simulated fleet as a platform team's would: every vLLM
 * and DCGM target the runtime API lists (labelled with deployment, group and node, through
 * file-based service discovery), plus the cluster's kube-state-metrics. Shared by the integration and browser tests of telemetry sources.
 */
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { simPaths } from '../../server/cloud/simulator/deployments.ts'
import { startPrometheus, type RunningPrometheus } from '../../server/test/prometheus-server.ts'
import { waitFor, type TestPlatform } from '../../server/test/platform.ts'

interface Target { kind: string; url: string; deployment_id: string; group: string; instance_id?: string }

/** File-based service discovery's entries for the fleet's targets (Prometheus' file_sd format). */
function sdEntries(base: string, targets: Target[]) {
  const host = new URL(base).host
  return targets.map((t) => ({ targets: [host], labels: { __metrics_path__: new URL(t.url, base).pathname, deployment_id: t.deployment_id, group: t.group, ...(t.instance_id ? { node: t.instance_id } : {}) } }))
}

/** The Prometheus configuration: the fleet's exporters (listed in `sdFile`, which Prometheus watches), and kube-state-metrics. */
export function fleetScrapeConfig(base: string, token: string, sdFile: string, customerId: string): string {
  const origin = new URL(base)
  return `global: { scrape_interval: 1s }
scrape_configs:
  - job_name: fleet
    authorization: { credentials: ${token} }
    file_sd_configs:
      - files: [${JSON.stringify(sdFile)}]
        refresh_interval: 1s
  - job_name: kube-state-metrics
    authorization: { credentials: ${token} }
    metrics_path: ${simPaths.kubeStateMetrics(customerId)}
    static_configs:
      - targets: ["${origin.host}"]
`
}

/** A Prometheus on a customer's fleet; `stop` also ends the target refresh. */
export interface FleetPrometheus { prom: RunningPrometheus; deploymentIds: string[]; stop(): Promise<void> }

/**
 * Starts a Prometheus on the customer's fleet, keeps its targets following the runtime API's list
 * (a canary's endpoints appear when it launches, as pods do under Kubernetes service discovery),
 * and waits until it has scraped every deployment three times.
 */
export async function prometheusOnFleet(p: TestPlatform, c: { customerId: string; token: string }): Promise<FleetPrometheus> {
  const runtimeToken = (await p.http('GET', `/customers/${c.customerId}/agent-install-command`, { token: c.token })).body.agent_token as string
  const listTargets = async () => (await p.http<{ targets: Target[] }>('GET', '/agent-runtime/targets', { token: runtimeToken })).body.targets
  const dir = await mkdtemp(path.join(tmpdir(), 'optiinfra-sd-'))
  const sdFile = path.join(dir, 'targets.json')
  // written whole, then renamed: Prometheus never reads a half-written file
  const writeTargets = async (targets: Target[]) => { await writeFile(`${sdFile}.tmp`, JSON.stringify(sdEntries(p.url, targets))); await rename(`${sdFile}.tmp`, sdFile) }
  const targets = await listTargets()
  await writeTargets(targets)
  const deploymentIds = [...new Set(targets.map((t) => t.deployment_id))].sort()
  const prom = await startPrometheus(fleetScrapeConfig(p.url, runtimeToken, sdFile, c.customerId))
  let following = true
  const follow = (async () => {
    while (following) {
      await new Promise((r) => setTimeout(r, 250))
      if (following) await listTargets().then(writeTargets, () => undefined)
    }
  })()
  const stop = async () => { following = false; await follow; await prom.stop(); await rm(dir, { recursive: true, force: true }) }
  await waitFor(async () => {
    const r = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent('count(count_over_time(vllm:num_requests_running[1m]) >= 3)')}`)
    const body = await r.json() as { data: { result: { value: [number, string] }[] } }
    return Number(body.data.result[0]?.value[1] ?? 0) >= deploymentIds.length
  }, { timeoutMs: 45_000, what: `three scrapes of each deployment (${prom.output().slice(-400)})` }).catch(async (err) => { await stop(); throw err })
  return { prom, deploymentIds, stop }
}
