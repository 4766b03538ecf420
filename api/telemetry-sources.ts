import { Type, type Static } from '@sinclair/typebox'
import { Nullable, Uuid } from './common.ts'

const LabelName = (description: string) => Type.String({ pattern: '^[a-zA-Z_][a-zA-Z0-9_]{0,99}$', description })

/** POST /customers/{id}/telemetry-sources */
export const CreateTelemetrySourceBody = Type.Object({
  kind: Type.Literal('prometheus'),
  url: Type.String({ minLength: 1, maxLength: 2048, description: 'the Prometheus root URL (e.g. https://prometheus.example.com)' }),
  headers: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z0-9-]{1,100}$' }), Type.String({ maxLength: 4096 }), { maxProperties: 10, description: 'sent with every query (e.g. Authorization); never shown again' })),
  deployment_label: Type.Optional(LabelName('label naming the deployment (default deployment_id; model_name works for one deployment per model)')),
  group_label: Type.Optional(LabelName('label naming the serving group, stable or canary (default group; absent means stable)')),
}, { additionalProperties: false })
export type CreateTelemetrySourceBody = Static<typeof CreateTelemetrySourceBody>

/** A node a deployment's pods run on, from kube-state-metrics (null where it exports nothing). */
export const DiscoveredNode = Type.Object({
  node: Type.String(),
  instance_id: Nullable(Type.String({ description: "the cloud's instance id, from the node's providerID" })),
  instance_type: Nullable(Type.String()),
  capacity_type: Type.Union([Type.Literal('on-demand'), Type.Literal('spot'), Type.Literal('reserved'), Type.Null()]),
  region: Nullable(Type.String()),
  gpus: Nullable(Type.Number({ description: 'allocatable nvidia.com/gpu capacity' })),
})

/** A deployment as the source's last successful poll found it. */
export const DiscoveredDeployment = Type.Object({
  deployment_id: Type.String(),
  model_name: Nullable(Type.String()),
  pods: Type.Object({ stable: Type.Integer(), canary: Type.Integer() }),
  nodes: Type.Array(DiscoveredNode),
  engine: Type.Optional(Nullable(Type.Object({
    kv_cache_dtype: Type.Union([Type.Literal('auto'), Type.Literal('fp8'), Type.Null()]),
    prefix_caching: Nullable(Type.Boolean()),
    gpu_memory_utilization: Nullable(Type.Number()),
    kv_cache_tokens: Nullable(Type.Number({ description: "one replica's KV capacity in tokens" })),
    servers: Type.Integer({ description: 'vLLM servers whose report this is' }),
  }, { description: "the engine flags the deployment's vLLM servers report in vllm:cache_config_info; null when none does" }))),
})

/** A source with its health, as the API shows it (header values are never shown). */
export const TelemetrySourceView = Type.Object({
  id: Uuid,
  customer_id: Uuid,
  kind: Type.Literal('prometheus'),
  url: Type.String(),
  header_names: Type.Array(Type.String()),
  deployment_label: Type.String(),
  group_label: Type.String(),
  created_at: Type.String(),
  health: Type.Object({
    status: Type.Union([Type.Literal('ok'), Type.Literal('failing'), Type.Literal('pending')]),
    last_poll_at: Type.Union([Type.String(), Type.Null()]),
    last_success_at: Type.Union([Type.String(), Type.Null()]),
    series_found: Type.Integer(),
    deployments: Type.Array(Type.String()),
    fleet: Type.Array(DiscoveredDeployment),
    cluster_state: Type.Boolean({ description: 'the last successful poll found kube-state-metrics series' }),
    /** The cluster (as of the last successful poll) against the provider's running instances; null without kube-state-metrics. */
    inventory: Nullable(Type.Object({
      not_in_cluster: Type.Array(Type.String(), { description: 'instances the provider runs for a deployment that are no node of the cluster' }),
      not_in_inventory: Type.Array(Type.String(), { description: 'nodes of the cluster the provider does not list' }),
    })),
    advisory: Type.Array(Type.Object({
      deployment_id: Type.String(),
      judged: Type.Boolean({ description: 'the agents can size it (model, instance types) and judge it once its telemetry shows load' }),
      reason: Nullable(Type.String({ description: 'why the agents cannot size it' })),
      engine: Nullable(Type.Object({
        quantization: Type.String(), kv_cache_dtype: Type.String(), max_num_seqs: Type.Integer(), max_num_batched_tokens: Type.Integer(),
        gpu_memory_utilization: Type.Number(), enable_prefix_caching: Type.Boolean(), tensor_parallel_size: Type.Integer(),
        reported: Type.Array(Type.String(), { description: 'flags taken from the fleet (vllm:cache_config_info, the checkpoint name, the reported KV capacity for the tensor-parallel size); the others are vLLM defaults' }),
      }, { description: 'the engine configuration the agents judge the deployment with; null when it cannot be sized' })),
    }), { description: 'deployments this source shows that the cloud provider does not run: the agents judge them from this source alone and their recommendations are advisory (the operator applies them)' }),
    polls: Type.Integer(),
    failures: Type.Integer(),
    last_error: Type.Union([Type.String(), Type.Null()]),
  }),
})

export const TelemetrySourceParams = Type.Object({ id: Uuid, sourceId: Uuid })
