/**
 * Pure rules for simulated vLLM deployments: the provider view (groups derived from instance
 * rows, protocol endpoints), validation of engine configs and traffic weights.
 */
import { planReplica } from '../model/engine.ts'
import type { EngineConfig, ModelSpec } from '../model/serving.ts'
import type { FleetDeployment, GroupRole, ProviderError } from '../provider.ts'
import { groupMembers } from './instances.ts'
import type { DeploymentRow, InstanceRow } from './store.ts'

/** Relative paths of the protocol endpoints (customer-scoped: ids are only unique per customer). */
export const simPaths = {
  base: (customerId: string, deploymentId: string) => `/sim/customers/${customerId}/deployments/${encodeURIComponent(deploymentId)}`,
  vllmMetrics: (c: string, d: string, g: GroupRole) => `${simPaths.base(c, d)}/${g}/metrics`,
  chat: (c: string, d: string, g: GroupRole) => `${simPaths.base(c, d)}/${g}/v1/chat/completions`,
  router: (c: string, d: string) => `${simPaths.base(c, d)}/v1/chat/completions`,
  dcgm: (c: string, instanceId: string) => `/sim/customers/${c}/instances/${encodeURIComponent(instanceId)}/metrics`,
  kubeStateMetrics: (c: string) => `/sim/customers/${c}/kube-state-metrics/metrics`,
}

/** The provider view of a deployment at `now`; groups list their live (pending or running) instances. */
export function toFleetDeployment(d: DeploymentRow, rows: InstanceRow[], now: Date): FleetDeployment {
  const stable = groupMembers(rows, d.id, 'stable', now)
  const canary = d.canary_config ? groupMembers(rows, d.id, 'canary', now) : []
  const c = d.customer_id
  return {
    id: d.id, customerId: c, name: d.name, cloud: d.cloud, region: d.region, model: d.model, traffic: d.traffic,
    latencyCritical: d.latency_critical, slo: d.slo,
    stable: { instanceIds: stable.map((r) => r.id), config: d.stable_config },
    canary: d.canary_config ? { instanceIds: canary.map((r) => r.id), config: d.canary_config, weight: d.canary_weight } : null,
    endpoints: {
      vllmMetrics: { stable: simPaths.vllmMetrics(c, d.id, 'stable'), canary: d.canary_config ? simPaths.vllmMetrics(c, d.id, 'canary') : null },
      chat: { stable: simPaths.chat(c, d.id, 'stable'), canary: d.canary_config ? simPaths.chat(c, d.id, 'canary') : null, router: simPaths.router(c, d.id) },
      dcgmMetrics: [...stable, ...canary].map((r) => ({ instanceId: r.id, url: simPaths.dcgm(c, r.id) })),
    },
  }
}

/** Share of the deployment's traffic a group receives. */
export function trafficShare(d: Pick<DeploymentRow, 'canary_config' | 'canary_weight'>, group: GroupRole): number {
  if (!d.canary_config) return group === 'stable' ? 1 : 0
  const w = d.canary_weight / 100
  return group === 'canary' ? w : 1 - w
}

function invalid(message: string): ProviderError {
  return { code: 'invalid', message, retryable: false }
}

const QUANTIZATIONS: readonly EngineConfig['quantization'][] = ['none', 'fp8', 'int8', 'int4']

/** Checks a canary weight: a number in [0, 100]. */
export function checkWeight(weight: unknown): ProviderError | null {
  return typeof weight === 'number' && Number.isFinite(weight) && weight >= 0 && weight <= 100
    ? null : invalid(`traffic weight must be a number from 0 to 100, got ${String(weight)}`)
}

/** Checks an engine config's fields and that the model fits it on the GPU type; null when usable. */
export function checkEngineConfig(config: EngineConfig, model: ModelSpec, gpuType: string, gpuCount: number): ProviderError | null {
  const c = config as Partial<EngineConfig> | null
  if (!c || typeof c !== 'object') return invalid('engine config is required')
  if (!QUANTIZATIONS.includes(c.quantization as EngineConfig['quantization'])) return invalid(`quantization must be one of ${QUANTIZATIONS.join(', ')}`)
  if (c.kvCacheDtype !== 'auto' && c.kvCacheDtype !== 'fp8') return invalid('kvCacheDtype must be auto or fp8')
  if (!Number.isInteger(c.maxNumSeqs) || c.maxNumSeqs! < 1 || c.maxNumSeqs! > 65536) return invalid('maxNumSeqs must be an integer from 1 to 65536')
  if (!Number.isInteger(c.maxNumBatchedTokens) || c.maxNumBatchedTokens! < 1 || c.maxNumBatchedTokens! > 1_048_576) return invalid('maxNumBatchedTokens must be an integer from 1 to 1048576')
  if (typeof c.gpuMemoryUtilization !== 'number' || !(c.gpuMemoryUtilization > 0 && c.gpuMemoryUtilization <= 1)) return invalid('gpuMemoryUtilization must be in (0, 1]')
  if (typeof c.enablePrefixCaching !== 'boolean') return invalid('enablePrefixCaching must be a boolean')
  const tp = c.tensorParallelSize
  if (!Number.isInteger(tp) || tp! < 1 || gpuCount % tp! !== 0) return invalid(`tensorParallelSize must divide the ${gpuCount} GPUs of the instance`)
  const plan = planReplica(model, config, gpuType, gpuCount)
  return plan.fits ? null : invalid(`${model.name} does not fit on ${gpuCount}× ${gpuType} with this config: ${plan.reason ?? 'not enough memory'}`)
}

