import { describe, expect, it } from 'vitest'
import { capacityTypeOf, discoverFleet, instanceIdOf, inventoryDrift, type ClusterAnswers } from './cluster.ts'
import type { VectorSample } from './promql.ts'

const v = (metric: Record<string, string>, value = 1): VectorSample => ({ metric, value: [1_700_000_000, String(value)] })
const none: ClusterAnswers = { podLabels: [], podInfo: [], nodeLabels: [], nodeInfo: [], gpus: [] }

describe('reading the cluster from kube-state-metrics', () => {
  it('reads the capacity type from Karpenter, EKS managed node groups and GKE labels', () => {
    expect(capacityTypeOf({ label_karpenter_sh_capacity_type: 'spot' })).toBe('spot')
    expect(capacityTypeOf({ label_karpenter_sh_capacity_type: 'reserved' })).toBe('reserved')
    expect(capacityTypeOf({ label_eks_amazonaws_com_capacity_type: 'ON_DEMAND' })).toBe('on-demand')
    expect(capacityTypeOf({ label_eks_amazonaws_com_capacity_type: 'CAPACITY_BLOCK' })).toBe('reserved')
    expect(capacityTypeOf({ label_cloud_google_com_gke_spot: 'true' })).toBe('spot')
    expect(capacityTypeOf({ label_cloud_google_com_gke_provisioning: 'standard' })).toBe('on-demand')
    expect(capacityTypeOf({ label_node_kubernetes_io_instance_type: 'p5.48xlarge' })).toBeNull()
  })

  it('takes the cloud instance id from the node providerID of AWS and GCE, and nothing from other ids', () => {
    expect(instanceIdOf('aws:///us-east-1a/i-0123456789abcdef0')).toBe('i-0123456789abcdef0')
    expect(instanceIdOf('gce://my-project/us-central1-a/gke-pool-1-abcd')).toBe('gke-pool-1-abcd')
    expect(instanceIdOf('kind://docker/kind/kind-control-plane')).toBe('kind-control-plane')
    expect(instanceIdOf('aws://')).toBeNull()
    expect(instanceIdOf(undefined)).toBeNull()
  })

  it('lists the deployments vLLM shows with their model even without kube-state-metrics', () => {
    const vllm: Record<string, string>[] = [{ deployment_id: 'chat', model_name: 'meta-llama/Llama-3.1-8B-Instruct' }, { deployment_id: 'chat', model_name: 'meta-llama/Llama-3.1-8B-Instruct' }, { model_name: 'unlabelled' }]
    expect(discoverFleet(vllm, 'deployment_id', none)).toEqual([{ deployment_id: 'chat', model_name: 'meta-llama/Llama-3.1-8B-Instruct', pods: { stable: 0, canary: 0 }, nodes: [], engine: null }])
  })

  it('joins pods to their nodes, counts pods per group, lists a shared node once, and keeps a deployment whose servers are down', () => {
    const answers: ClusterAnswers = {
      podLabels: [
        v({ namespace: 'llm', pod: 'chat-stable-a', label_optiinfra_io_deployment: 'chat', label_optiinfra_io_group: 'stable' }),
        v({ namespace: 'llm', pod: 'chat-stable-b', label_optiinfra_io_deployment: 'chat', label_optiinfra_io_group: 'stable' }),
        v({ namespace: 'llm', pod: 'chat-canary-a', label_optiinfra_io_deployment: 'chat', label_optiinfra_io_group: 'canary' }),
        v({ namespace: 'llm', pod: 'batch-x', label_optiinfra_io_deployment: 'batch' }),
      ],
      podInfo: [
        v({ namespace: 'llm', pod: 'chat-stable-a', node: 'n2' }), v({ namespace: 'llm', pod: 'chat-stable-b', node: 'n2' }),
        v({ namespace: 'llm', pod: 'chat-canary-a', node: 'n1' }), v({ namespace: 'other', pod: 'batch-x', node: 'n1' }),
      ],
      nodeLabels: [
        v({ node: 'n1', label_node_kubernetes_io_instance_type: 'g6e.xlarge', label_karpenter_sh_capacity_type: 'spot', label_topology_kubernetes_io_region: 'us-east-1' }),
        v({ node: 'n2', label_beta_kubernetes_io_instance_type: 'p5.48xlarge' }),
      ],
      nodeInfo: [v({ node: 'n1', provider_id: 'aws:///us-east-1a/i-1' }), v({ node: 'n2', provider_id: 'aws:///us-east-1b/i-2' })],
      gpus: [v({ node: 'n1', resource: 'nvidia_com_gpu' }, 1), v({ node: 'n2', resource: 'nvidia_com_gpu' }, 8)],
    }
    const fleet = discoverFleet([{ deployment_id: 'chat', model_name: 'm' }], 'deployment_id', answers)
    expect(fleet.map((d) => d.deployment_id)).toEqual(['batch', 'chat'])
    expect(fleet[0]).toEqual({ deployment_id: 'batch', model_name: null, pods: { stable: 1, canary: 0 }, nodes: [], engine: null })
    expect(fleet[1]!.pods).toEqual({ stable: 2, canary: 1 })
    expect(fleet[1]!.nodes).toEqual([
      { node: 'n1', instance_id: 'i-1', instance_type: 'g6e.xlarge', capacity_type: 'spot', region: 'us-east-1', gpus: 1 },
      { node: 'n2', instance_id: 'i-2', instance_type: 'p5.48xlarge', capacity_type: null, region: null, gpus: 8 },
    ])
  })

  it('names instances the provider runs for a deployment that are no node, and nodes the provider does not list', () => {
    const node = (instance_id: string | null) => ({ node: `n-${instance_id}`, instance_id, instance_type: 'g5.xlarge', capacity_type: null, region: null, gpus: 1 })
    const fleet = [{ deployment_id: 'chat', model_name: null, pods: { stable: 3, canary: 0 }, nodes: [node('i-1'), node('i-gone'), node(null)] }]
    const running = [{ id: 'i-1', deploymentId: 'chat' }, { id: 'i-lost', deploymentId: 'chat' }, { id: 'i-idle', deploymentId: null }]
    expect(inventoryDrift(fleet, running)).toEqual({ not_in_cluster: ['i-lost'], not_in_inventory: ['i-gone'] })
    expect(inventoryDrift(fleet, [{ id: 'i-1', deploymentId: 'chat' }, { id: 'i-gone', deploymentId: 'chat' }])).toEqual({ not_in_cluster: [], not_in_inventory: [] })
  })
})
