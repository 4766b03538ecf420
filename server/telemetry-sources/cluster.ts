/**
 * The cluster behind a Prometheus, as kube-state-metrics describes it: which pods serve each
 * deployment and group, the nodes they run on, and each node's instance type, capacity type, GPUs
 * and cloud instance id. Pure: the poller runs `CLUSTER_QUERIES` and hands the answers here.
 *
 * Pods name their deployment and group with the labels the Git actuator's manifests set
 * (`optiinfra.io/deployment`, `optiinfra.io/group`); kube-state-metrics exports pod and node labels
 * only when allow-listed (`--metric-labels-allowlist`, see docs/connect-a-real-fleet.md).
 */
import type { Pricing } from '../cloud/provider.ts'
import type { ObservedEngine } from './engine.ts'
import type { VectorSample } from './promql.ts'

/** One node as discovered; a field kube-state-metrics does not export is null. */
export interface DiscoveredNode {
  node: string
  instance_id: string | null
  instance_type: string | null
  capacity_type: Pricing | null
  region: string | null
  gpus: number | null
}

/** One deployment as discovered: its model (from vLLM's labels), pods per group, and their nodes. */
export interface DiscoveredDeployment {
  deployment_id: string
  model_name: string | null
  pods: { stable: number; canary: number }
  nodes: DiscoveredNode[]
  /** Its engine flags as its vLLM servers report them (`vllm:cache_config_info`); null when none does (absent in polls stored before it was read). */
  engine?: ObservedEngine | null
}

/** The kube-state-metrics series read, one instant query each. */
export const CLUSTER_QUERIES = {
  podLabels: 'kube_pod_labels{label_optiinfra_io_deployment!=""}',
  podInfo: 'kube_pod_info',
  nodeLabels: 'kube_node_labels',
  nodeInfo: 'kube_node_info',
  gpus: 'kube_node_status_capacity{resource="nvidia_com_gpu"}',
} as const

export type ClusterAnswers = Record<keyof typeof CLUSTER_QUERIES, VectorSample[]>

const INSTANCE_TYPE = ['label_node_kubernetes_io_instance_type', 'label_beta_kubernetes_io_instance_type']
const REGION = ['label_topology_kubernetes_io_region', 'label_failure_domain_beta_kubernetes_io_region']

/** Capacity type from Karpenter's, EKS managed node groups' or GKE's node labels. */
export function capacityTypeOf(labels: Record<string, string>): Pricing | null {
  const karpenter = labels.label_karpenter_sh_capacity_type?.toLowerCase()
  if (karpenter === 'on-demand' || karpenter === 'spot' || karpenter === 'reserved') return karpenter
  const eks = labels.label_eks_amazonaws_com_capacity_type?.toUpperCase()
  if (eks === 'ON_DEMAND') return 'on-demand'
  if (eks === 'SPOT') return 'spot'
  if (eks === 'CAPACITY_BLOCK') return 'reserved'
  if (labels.label_cloud_google_com_gke_spot === 'true' || labels.label_cloud_google_com_gke_preemptible === 'true') return 'spot'
  const gke = labels.label_cloud_google_com_gke_provisioning
  if (gke === 'spot' || gke === 'preemptible') return 'spot'
  if (gke === 'standard') return 'on-demand'
  return null
}

/** The cloud's instance id from a node's `spec.providerID` (`aws:///us-east-1a/i-0abc…`, `gce://project/zone/name`). */
export function instanceIdOf(providerId: string | undefined): string | null {
  if (!providerId) return null
  const last = providerId.split('/').filter(Boolean).pop()
  return last && !last.includes(':') ? last : null
}

const first = (labels: Record<string, string>, names: string[]): string | null => names.map((n) => labels[n]).find((v) => !!v) ?? null
const byNode = (samples: VectorSample[]) => new Map(samples.filter((s) => s.metric.node).map((s) => [s.metric.node!, s]))

function nodeOf(name: string, index: { labels: Map<string, VectorSample>; info: Map<string, VectorSample>; gpus: Map<string, VectorSample> }): DiscoveredNode {
  const labels = index.labels.get(name)?.metric ?? {}
  const gpus = Number(index.gpus.get(name)?.value[1])
  return {
    node: name, instance_id: instanceIdOf(index.info.get(name)?.metric.provider_id), instance_type: first(labels, INSTANCE_TYPE),
    capacity_type: capacityTypeOf(labels), region: first(labels, REGION), gpus: Number.isFinite(gpus) ? gpus : null,
  }
}

/**
 * Joins vLLM's series (deployments and their `model_name`) with the pods and nodes kube-state-metrics
 * reports. Every deployment vLLM shows is listed; pods of deployments vLLM does not show are too
 * (a deployment whose servers are down still has pods and nodes, and still costs).
 */
export function discoverFleet(vllmSeries: Record<string, string>[], deploymentLabel: string, a: ClusterAnswers, engines = new Map<string, ObservedEngine>()): DiscoveredDeployment[] {
  const fleet = new Map<string, DiscoveredDeployment>()
  const entry = (id: string) => fleet.get(id) ?? fleet.set(id, { deployment_id: id, model_name: null, pods: { stable: 0, canary: 0 }, nodes: [], engine: engines.get(id) ?? null }).get(id)!
  for (const s of vllmSeries) {
    const id = s[deploymentLabel]
    if (!id) continue
    const d = entry(id)
    d.model_name ??= s.model_name ?? null
  }
  const podNode = new Map(a.podInfo.map((p) => [`${p.metric.namespace}/${p.metric.pod}`, p.metric.node]))
  const index = { labels: byNode(a.nodeLabels), info: byNode(a.nodeInfo), gpus: byNode(a.gpus) }
  const seen = new Set<string>()
  for (const p of a.podLabels) {
    const d = entry(p.metric.label_optiinfra_io_deployment!)
    d.pods[p.metric.label_optiinfra_io_group === 'canary' ? 'canary' : 'stable']++
    const node = podNode.get(`${p.metric.namespace}/${p.metric.pod}`)
    if (!node || seen.has(`${d.deployment_id}|${node}`)) continue
    seen.add(`${d.deployment_id}|${node}`)
    d.nodes.push(nodeOf(node, index))
  }
  for (const d of fleet.values()) d.nodes.sort((x, y) => x.node.localeCompare(y.node))
  return [...fleet.values()].sort((x, y) => x.deployment_id.localeCompare(y.deployment_id))
}

/** Where the cluster's nodes and the provider's inventory disagree (instance ids). */
export interface InventoryDrift {
  /** Instances the provider runs for a deployment that no node of the cluster is: billed, not seen serving. */
  not_in_cluster: string[]
  /** Nodes the cluster runs that the provider's inventory does not list: capacity whose cost OptiInfra does not see. */
  not_in_inventory: string[]
}

/**
 * Compares the cluster as the last poll found it with the provider's running instances. Nodes
 * without a providerID are left out (unknown, not missing). Pure.
 */
export function inventoryDrift(fleet: DiscoveredDeployment[], running: { id: string; deploymentId: string | null }[]): InventoryDrift {
  const nodes = new Set(fleet.flatMap((d) => d.nodes.map((n) => n.instance_id)).filter((id): id is string => id !== null))
  const known = new Set(running.map((i) => i.id))
  return {
    not_in_cluster: running.filter((i) => i.deploymentId !== null && !nodes.has(i.id)).map((i) => i.id).sort(),
    not_in_inventory: [...nodes].filter((id) => !known.has(id)).sort(),
  }
}
