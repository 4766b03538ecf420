/**
 * Onboarding rules: what a valid cloud account reference looks like, which regions the platform
 * can reach, the fleet the simulated cloud provisions for an account it has not seen, and how a
 * discovered fleet is shown (snake_case, dollars). Pure.
 */
import { HOURS_PER_MONTH, type Catalog } from '../cloud/catalog/catalog.ts'
import type { Cloud, FleetDeployment, FleetInstance } from '../cloud/provider.ts'
import type { FleetSpec } from '../cloud/index.ts'
import type { ObservedSignals } from '../agents/agent.ts'
import type { EngineConfig } from '../cloud/model/serving.ts'

/** AWS IAM role ARN: 12-digit account, role path and name of IAM's allowed characters. */
export const IAM_ROLE_ARN = /^arn:aws:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/
/** GCP project id: 6–30 lowercase letters, digits or hyphens, starting with a letter, not ending with a hyphen. */
export const GCP_PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/

/** An onboarding request. */
export interface OnboardRequest { cloud_provider: Cloud; region: string; iam_role_arn?: string; project_id?: string }

/** Why an onboarding request cannot be used, or null. */
export function onboardProblem(req: OnboardRequest, catalog: Catalog): string | null {
  if (req.cloud_provider === 'aws') {
    if (!req.iam_role_arn) return 'iam_role_arn is required for AWS (arn:aws:iam::<12-digit account>:role/<name>)'
    if (!IAM_ROLE_ARN.test(req.iam_role_arn)) return `iam_role_arn ${JSON.stringify(req.iam_role_arn)} is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)`
  } else {
    if (!req.project_id) return 'project_id is required for GCP'
    if (!GCP_PROJECT_ID.test(req.project_id)) return `project_id ${JSON.stringify(req.project_id)} is not a GCP project id (6–30 lowercase letters, digits, hyphens)`
  }
  const regions = regionsOf(catalog, req.cloud_provider)
  if (!regions.includes(req.region)) return `region ${req.region} is not offered for ${req.cloud_provider}; available: ${regions.join(', ')}`
  return null
}

/** Regions the price catalog covers for a cloud. */
export function regionsOf(catalog: Catalog, cloud: Cloud): string[] {
  return [...new Set(catalog.entries.filter((e) => e.cloud === cloud).map((e) => e.region))].sort()
}

/**
 * The fleet the simulated cloud shows for an account it has not seen: the seeds' "existing"
 * fleet (seed 001 `test_infrastructure`: two 8×A100 on-demand boxes serving Llama-3-70B at
 * 45 req/s, p95 1.6 s), or its GCP equivalent. Ids are derived from the customer so tenants never
 * share them. The simulator has no per-account provisioning of its own, so onboarding defines it.
 */
export function accountFleet(customerId: string, cloud: Cloud, region: string): FleetSpec {
  const tag = customerId.replace(/-/g, '').slice(0, 12)
  const type = cloud === 'aws' ? 'p4d.24xlarge' : 'a2-highgpu-8g'
  const ids = cloud === 'aws' ? [`i-${tag}01`, `i-${tag}02`] : [`gce-${tag}-01`, `gce-${tag}-02`]
  return {
    instances: ids.map((instance_id) => ({ instance_id, instance_type: type, region, pricing: 'on-demand' as const, gpu_type: 'A100', gpu_count: 8, cloud })),
    vllm_deployments: [{ deployment_id: 'vllm-prod-1', name: 'Production chat (Llama 3 70B)', model: 'meta-llama/Llama-3-70B', instance_ids: ids, avg_latency_p95: 1600, requests_per_second: 45 }],
  }
}

/** An instance as `GET /customers/{id}/infrastructure` shows it. */
export function presentInstance(i: FleetInstance) {
  return {
    instance_id: i.id, instance_type: i.instanceType, cloud: i.cloud, region: i.region, pricing: i.pricing, gpu_type: i.gpuType, gpu_count: i.gpuCount,
    state: i.state, deployment_id: i.deploymentId, group: i.group, hourly_cost: round2(i.hourlyUsd), monthly_cost: round2(i.hourlyUsd * HOURS_PER_MONTH),
    launched_at: i.launchedAt, interruption_at: i.interruptionAt,
  }
}

/** An engine configuration as the API shows it (vLLM's flag names). */
export function engineConfigView(c: EngineConfig) {
  return {
    quantization: c.quantization, kv_cache_dtype: c.kvCacheDtype, max_num_seqs: c.maxNumSeqs, max_num_batched_tokens: c.maxNumBatchedTokens,
    gpu_memory_utilization: c.gpuMemoryUtilization, enable_prefix_caching: c.enablePrefixCaching, tensor_parallel_size: c.tensorParallelSize,
  }
}

/** A deployment as `GET /customers/{id}/infrastructure` shows it, with its observed signals when any. */
export function presentDeployment(d: FleetDeployment, instances: FleetInstance[], signals: ObservedSignals | null) {
  const own = instances.filter((i) => i.deploymentId === d.id && i.state !== 'terminated')
  return {
    deployment_id: d.id, name: d.name, model: d.model.name, model_params_b: d.model.paramsB, cloud: d.cloud, region: d.region,
    instance_ids: d.stable.instanceIds, canary_instance_ids: d.canary?.instanceIds ?? [], canary_weight: d.canary?.weight ?? 0,
    requests_per_second: d.traffic.baseRps, avg_latency_p95: signals?.p95LatencyMs ?? null, p99_latency_ms: signals?.p99LatencyMs ?? null,
    gpu_utilization: signals?.gpuUtilization ?? null, latency_critical: d.latencyCritical,
    slo: { p95_ms: d.slo.p95Ms, p99_ms: d.slo.p99Ms, max_error_rate: d.slo.maxErrorRate, min_quality: d.slo.minQuality },
    engine_config: engineConfigView(d.stable.config),
    monthly_cost: round2(own.reduce((s, i) => s + i.hourlyUsd, 0) * HOURS_PER_MONTH),
    endpoints: { chat: d.endpoints.chat.router, vllm_metrics: d.endpoints.vllmMetrics.stable },
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100
}
