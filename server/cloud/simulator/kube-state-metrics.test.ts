import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../db/db.ts'
import { freshDb } from '../../test/db.ts'
import { renderPrometheusText } from '../../telemetry/exposition.ts'
import { parsePrometheusText } from '../../telemetry/prometheus.ts'
import { CLUSTER_QUERIES, discoverFleet, type ClusterAnswers } from '../../telemetry-sources/cluster.ts'
import type { VectorSample } from '../../telemetry-sources/promql.ts'
import { SMALL_FLEET, simFixture } from './testing.ts'
import type { FleetSpec } from './register-plan.ts'

let db: Db
let drop: () => Promise<void>
beforeAll(async () => { ({ db, drop } = await freshDb()) }, 60_000)
afterAll(async () => { await db?.close(); await drop?.() })

// one node serving on-demand, one on spot, one idle GPU node nothing runs on
const MIXED: FleetSpec = {
  instances: [
    SMALL_FLEET.instances![0]!,
    { ...SMALL_FLEET.instances![1]!, pricing: 'spot' },
    { instance_id: 'i-idle-1', instance_type: 'g6e.xlarge', region: 'us-east-1', pricing: 'on-demand' },
  ],
  vllm_deployments: SMALL_FLEET.vllm_deployments,
}

/** The text kube-state-metrics would serve, read back as Prometheus' instant queries would answer. */
function answersFrom(text: string): ClusterAnswers {
  const parsed = parsePrometheusText(text)
  expect(parsed.errors).toEqual([])
  const samples = parsed.families.flatMap((f) => f.samples)
  const pick = (name: string, keep: (l: Record<string, string>) => boolean = () => true): VectorSample[] =>
    samples.filter((s) => s.name === name && keep(s.labels)).map((s) => ({ metric: { __name__: s.name, ...s.labels }, value: [0, String(s.value)] }))
  return {
    podLabels: pick('kube_pod_labels', (l) => !!l.label_optiinfra_io_deployment), podInfo: pick('kube_pod_info'),
    nodeLabels: pick('kube_node_labels'), nodeInfo: pick('kube_node_info'), gpus: pick('kube_node_status_capacity', (l) => l.resource === 'nvidia_com_gpu'),
  }
}

describe('the twin\'s kube-state-metrics', () => {
  it('describes every running node with its instance type, capacity type, GPUs and providerID, and a vLLM pod per serving instance', async () => {
    const f = await simFixture(db, MIXED)
    const scrape = await f.sim.scrapeClusterState(f.customerId)
    if (scrape.status !== 200) throw new Error(scrape.message)
    const answers = answersFrom(renderPrometheusText(scrape.families, { numberStyle: 'go' }))
    expect(Object.keys(answers).sort()).toEqual(Object.keys(CLUSTER_QUERIES).sort())
    expect(answers.nodeInfo).toHaveLength(3)
    expect(answers.podInfo).toHaveLength(2)

    const inventory = (await f.sim.listResources(f.customerId)).instances
    const [chat] = discoverFleet([], 'deployment_id', answers)
    expect(chat).toMatchObject({ deployment_id: 'chat-8b', pods: { stable: 2, canary: 0 } })
    const serving = inventory.filter((i) => i.deploymentId === 'chat-8b')
    expect(chat!.nodes.map((n) => ({ id: n.instance_id, type: n.instance_type, capacity: n.capacity_type, gpus: n.gpus, region: n.region })).sort((a, b) => a.id!.localeCompare(b.id!)))
      .toEqual(serving.map((i) => ({ id: i.id, type: i.instanceType, capacity: i.pricing, gpus: i.gpuCount, region: i.region })).sort((a, b) => a.id.localeCompare(b.id)))
  })

  it('drops a node and its pod once the instance is terminated', async () => {
    const f = await simFixture(db, MIXED)
    expect((await f.sim.terminateInstances({ changeId: 'ksm-test', customerId: f.customerId, instanceIds: ['i-idle-1'] })).ok).toBe(true)
    const scrape = await f.sim.scrapeClusterState(f.customerId)
    if (scrape.status !== 200) throw new Error(scrape.message)
    const answers = answersFrom(renderPrometheusText(scrape.families, { numberStyle: 'go' }))
    expect(answers.nodeInfo.map((s) => s.metric.provider_id)).not.toContainEqual(expect.stringContaining('i-idle-1'))
    expect(answers.nodeInfo).toHaveLength(2)
  })
})
