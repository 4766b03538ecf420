/**
 * The simulated cluster as kube-state-metrics (v2) exports it: one node per running instance
 * (`kube_node_info` with the cloud providerID, `kube_node_labels` with the well-known instance-type,
 * region and capacity-type labels, GPU capacity) and one vLLM pod per instance serving a group
 * (`kube_pod_info`, `kube_pod_labels` with the labels the Git actuator's manifests set). The labels
 * are those an operator allow-lists with `--metric-labels-allowlist`. Pure.
 */
import { createHash } from 'node:crypto'
import type { MetricFamily, Sample } from '../../telemetry/prometheus.ts'
import { hostnameOf } from './dcgm-metrics.ts'
import type { InstanceRow } from './store.ts'

const NAMESPACE = 'llm-serving'
const KUBELET_VERSION = 'v1.31.4-eks-aeac579'

const hex = (s: string, n: number) => createHash('sha256').update(s).digest('hex').slice(0, n)

/** `spec.providerID` as each cloud's node controller sets it (zone `a` of the region). */
function providerId(r: InstanceRow): string {
  return r.cloud === 'aws' ? `aws:///${r.region}a/${r.id}` : `gce://optiinfra-sim/${r.region}-a/${r.id}`
}

/** Karpenter's capacity-type label on AWS; GKE's provisioning label (and gke-spot) on GCP. */
function capacityLabels(r: InstanceRow): Record<string, string> {
  if (r.cloud === 'aws') return { label_karpenter_sh_capacity_type: r.pricing }
  return r.pricing === 'spot'
    ? { label_cloud_google_com_gke_provisioning: 'spot', label_cloud_google_com_gke_spot: 'true' }
    : { label_cloud_google_com_gke_provisioning: 'standard' }
}

function nodeSamples(r: InstanceRow): { info: Sample; labels: Sample; gpus: Sample } {
  const node = hostnameOf(r.id)
  return {
    info: { name: 'kube_node_info', labels: { node, provider_id: providerId(r), kubelet_version: KUBELET_VERSION, container_runtime_version: 'containerd://1.7.23', internal_ip: node.slice(3).replaceAll('-', '.') }, value: 1 },
    labels: {
      name: 'kube_node_labels', value: 1,
      labels: { node, label_node_kubernetes_io_instance_type: r.instance_type, label_topology_kubernetes_io_region: r.region, label_nvidia_com_gpu_count: String(r.gpu_count), ...capacityLabels(r) },
    },
    gpus: { name: 'kube_node_status_capacity', labels: { node, resource: 'nvidia_com_gpu', unit: 'integer' }, value: r.gpu_count },
  }
}

function podSamples(r: InstanceRow): { info: Sample; labels: Sample } | null {
  if (!r.deployment_id || !r.grp) return null
  const replicaSet = `${r.deployment_id}-${r.grp}-${hex(`${r.deployment_id}|${r.grp}`, 10)}`
  const pod = `${replicaSet}-${hex(r.id, 5)}`
  const uid = hex(`pod|${r.id}`, 32).replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-')
  return {
    info: { name: 'kube_pod_info', value: 1, labels: { namespace: NAMESPACE, pod, uid, node: hostnameOf(r.id), created_by_kind: 'ReplicaSet', created_by_name: replicaSet, priority_class: '', host_network: 'false' } },
    labels: { name: 'kube_pod_labels', value: 1, labels: { namespace: NAMESPACE, pod, uid, label_app_kubernetes_io_name: 'vllm', label_optiinfra_io_deployment: r.deployment_id, label_optiinfra_io_group: r.grp } },
  }
}

/** The kube-state-metrics families of a customer's running instances. */
export function kubeStateFamilies(running: InstanceRow[]): MetricFamily[] {
  const nodes = running.map(nodeSamples)
  const pods = running.map(podSamples).filter((p) => p !== null)
  const fam = (name: string, help: string, samples: Sample[]): MetricFamily => ({ name, type: 'gauge', help, samples })
  return [
    fam('kube_node_info', 'Information about a cluster node.', nodes.map((n) => n.info)),
    fam('kube_node_labels', 'Kubernetes labels converted to Prometheus labels.', nodes.map((n) => n.labels)),
    fam('kube_node_status_capacity', 'The capacity for different resources of a node.', nodes.map((n) => n.gpus)),
    fam('kube_pod_info', 'Information about pod.', pods.map((p) => p.info)),
    fam('kube_pod_labels', 'Kubernetes labels converted to Prometheus labels.', pods.map((p) => p.labels)),
  ]
}
