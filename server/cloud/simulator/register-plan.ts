/**
 * Checks a fleet registration (the seeds' fixture shape) against the catalog and the serving
 * model and turns it into instance and deployment plans. Pure; throws catalog errors that name
 * the offending item, since registration is a user request.
 */
import { createHash } from 'node:crypto'
import { findInstanceType, normalizeGpuType, type Catalog, type CatalogEntry } from '../catalog/catalog.ts'
import type { EngineConfig, ModelSpec } from '../model/serving.ts'
import type { Cloud, Pricing } from '../provider.ts'
import type { SloSpec } from '../../slo/slo.ts'
import { errors } from '../../errors.ts'
import { operatorDefaultConfig } from '../model/defaults.ts'
import { resolveModel } from '../model/match.ts'

/** One instance of a registered fleet (seed 001 `test_infrastructure` shape; extra fields ignored). */
export interface InstanceSpec {
  instance_id?: string
  instance_type: string
  region?: string
  pricing?: Pricing
  gpu_type?: string
  gpu_count?: number
  utilization?: number
  cloud?: Cloud
}

/** One vLLM deployment of a registered fleet. */
export interface DeploymentSpec {
  deployment_id: string
  model: string
  instance_ids: string[]
  name?: string
  requests_per_second?: number
  avg_latency_p95?: number
  prompt_tokens?: number
  output_tokens?: number
  latency_critical?: boolean
  /** The customer's declared SLO (validated by the platform before registration). */
  slo?: SloSpec
}

/** A fleet to materialize in the simulator. */
export interface FleetSpec { instances?: InstanceSpec[]; vllm_deployments?: DeploymentSpec[] }

/** An instance to create or update. */
export interface PlannedInstance { id: string; entry: CatalogEntry; pricing: Pricing; utilization?: number }

/** A deployment to create or update, with the group it runs on. */
export interface PlannedDeployment { spec: DeploymentSpec; model: ModelSpec; entry: CatalogEntry; config: EngineConfig; instanceIds: string[] }

/** Limits that keep one registration one transaction of reasonable size. */
export const REGISTER_LIMITS = { instances: 2000, deployments: 500, idLength: 128 }
const PRICINGS: readonly Pricing[] = ['on-demand', 'spot', 'reserved']

function fail(message: string): never {
  throw new errors.OPT_FLEET_INVALID(message)
}

function checkId(kind: string, id: unknown): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > REGISTER_LIMITS.idLength || !/^[A-Za-z0-9._:-]+$/.test(id)) {
    fail(`${kind} id ${JSON.stringify(id)} must be 1–${REGISTER_LIMITS.idLength} characters of letters, digits, . _ : -`)
  }
  return id
}

/** Finds an instance type in the given cloud, or in either when the cloud is not said. */
export function catalogEntryFor(catalog: Catalog, type: string, cloud?: Cloud): CatalogEntry {
  const clouds: Cloud[] = cloud ? [cloud] : ['aws', 'gcp']
  for (const c of clouds) {
    const e = findInstanceType(catalog, c, type)
    if (e) return e
  }
  throw new errors.OPT_CATALOG_UNKNOWN_INSTANCE_TYPE(JSON.stringify(type), cloud ?? 'AWS/GCP')
}

// "A100" names the family of "A100-40GB"; "NVIDIA H100 80GB HBM3" normalises to H100.
function gpuMatches(given: string, entry: CatalogEntry): boolean {
  const norm = normalizeGpuType(given)
  if (norm) return norm === entry.gpuType
  return entry.gpuType.toLowerCase().startsWith(given.trim().toLowerCase().replace(/^nvidia\s+/, ''))
}

function planInstance(catalog: Catalog, customerId: string, s: InstanceSpec, index: number): PlannedInstance {
  if (!s || typeof s.instance_type !== 'string') fail(`instances[${index}] needs an instance_type`)
  if (s.cloud !== undefined && s.cloud !== 'aws' && s.cloud !== 'gcp') fail(`instances[${index}]: cloud must be aws or gcp`)
  const entry = catalogEntryFor(catalog, s.instance_type, s.cloud)
  if (s.region !== undefined && s.region !== entry.region) {
    throw new errors.OPT_CATALOG_UNKNOWN_INSTANCE_TYPE(`${s.instance_type} in ${s.region}`, `${entry.cloud} (offered in ${entry.region})`)
  }
  const pricing = s.pricing ?? 'on-demand'
  if (!PRICINGS.includes(pricing)) fail(`instances[${index}]: pricing must be one of ${PRICINGS.join(', ')}`)
  if (pricing === 'spot' && !entry.spot) fail(`${s.instance_type} has no spot market in the catalog`)
  if (s.gpu_type !== undefined && !gpuMatches(String(s.gpu_type), entry)) fail(`${s.instance_type} has ${entry.gpuType} GPUs, not ${s.gpu_type}`)
  if (s.gpu_count !== undefined && s.gpu_count !== entry.gpuCount) fail(`${s.instance_type} has ${entry.gpuCount} GPUs, not ${s.gpu_count}`)
  if (s.utilization !== undefined && !(typeof s.utilization === 'number' && s.utilization >= 0 && s.utilization <= 1)) fail(`instances[${index}]: utilization must be in [0, 1]`)
  const id = s.instance_id === undefined
    ? `${entry.cloud === 'aws' ? 'i-' : 'gce-'}${createHash('sha256').update(`register|${customerId}|${index}|${entry.instanceType}`).digest('hex').slice(0, 17)}`
    : checkId('instance', s.instance_id)
  return { id, entry, pricing, ...(s.utilization === undefined ? {} : { utilization: s.utilization }) }
}

/** Plans every instance of the spec; ids must be unique. */
export function planInstances(catalog: Catalog, customerId: string, specs: InstanceSpec[]): PlannedInstance[] {
  if (specs.length > REGISTER_LIMITS.instances) fail(`at most ${REGISTER_LIMITS.instances} instances per registration`)
  const planned = specs.map((s, i) => planInstance(catalog, customerId, s, i))
  const seen = new Set<string>()
  for (const p of planned) {
    if (seen.has(p.id)) fail(`instance id ${p.id} appears twice`)
    seen.add(p.id)
  }
  return planned
}

/** The default engine config for a model on a GPU: vLLM's defaults at the smallest tensor-parallel size that fits. */
export function defaultConfigFor(model: ModelSpec, entry: CatalogEntry): EngineConfig {
  const config = operatorDefaultConfig(model, entry.gpuType, entry.gpuCount)
  if (!config) fail(`${model.name} (${model.paramsB}B) does not fit on ${entry.instanceType} (${entry.gpuCount}× ${entry.gpuType}) even in FP16 across all GPUs`)
  return config
}

/** Plans the deployments; `entries` maps every known instance id (spec or stored) to its catalog entry. */
export function planDeployments(specs: DeploymentSpec[], entries: Map<string, CatalogEntry>): PlannedDeployment[] {
  if (specs.length > REGISTER_LIMITS.deployments) fail(`at most ${REGISTER_LIMITS.deployments} deployments per registration`)
  const owner = new Map<string, string>()
  const ids = new Set<string>()
  return specs.map((s, index) => {
    const id = checkId('deployment', s?.deployment_id)
    if (ids.has(id)) fail(`deployment id ${id} appears twice`)
    ids.add(id)
    if (typeof s.model !== 'string' || s.model.length === 0 || s.model.length > 200) fail(`vllm_deployments[${index}] needs a model name`)
    const resolved = resolveModel(s.model)
    if (!resolved.ok) fail(resolved.message)
    if (!Array.isArray(s.instance_ids) || s.instance_ids.length === 0) fail(`deployment ${id} needs at least one instance id`)
    const types = new Set<string>()
    for (const iid of s.instance_ids) {
      const e = entries.get(String(iid))
      if (!e) fail(`deployment ${id} names unknown instance ${String(iid)}`)
      if (owner.has(iid)) fail(`instance ${iid} is in deployments ${owner.get(iid)} and ${id}`)
      owner.set(iid, id)
      types.add(`${e.cloud}/${e.instanceType}`)
    }
    if (types.size > 1) fail(`deployment ${id} mixes instance types (${[...types].join(', ')}); a group uses one type`)
    for (const [k, v] of [['requests_per_second', s.requests_per_second], ['avg_latency_p95', s.avg_latency_p95], ['prompt_tokens', s.prompt_tokens], ['output_tokens', s.output_tokens]] as const) {
      if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v > 0 && v < 1e7)) fail(`deployment ${id}: ${k} must be a positive number`)
    }
    const entry = entries.get(s.instance_ids[0]!)!
    return { spec: s, model: resolved.model, entry, config: defaultConfigFor(resolved.model, entry), instanceIds: [...new Set(s.instance_ids)] }
  })
}
