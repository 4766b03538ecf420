/**
 * Test fixtures for approval and execution: the seeds' fleet (2× p4d.24xlarge on-demand serving
 * Llama-3-70B) materialized in the simulator, and validated recommendations written the way the
 * recommendations store writes them, with change plans computed from the catalog's prices.
 */
import { randomUUID } from 'node:crypto'
import type { Db } from '../db/db.ts'
import type { Clock } from '../clock.ts'
import type { Simulator } from '../cloud/simulator/simulator.ts'
import type { FleetDeployment, PoolSpec } from '../cloud/provider.ts'
import type { EngineConfig } from '../cloud/model/serving.ts'
import type { ChangePlan, RecommendationType, RiskLevel, Validation } from '../recommendations/recommendation.ts'
import { HOURS_PER_MONTH } from '../spend/run-rate.ts'
import { workflowService, type WorkflowServiceOptions } from '../workflows/service.ts'
import { startTestPlatform, type TestPlatform } from './platform.ts'

/** The SLO the seed customer declares (SLOs are declared, not derived): 1.5 × its reported 1.6 s p95. */
export const SEED_DECLARED_SLO = { ttft_p95_ms: null, itl_p95_ms: null, e2e_p95_ms: 2400, e2e_p99_ms: 3600, max_error_rate: 0.001, min_quality: 0.95 }

/** The seed 001 `test_infrastructure` fleet (with its declared SLO), with a deployment id suffix so several can coexist. */
export function seedFleetSpec(suffix = '', opts: { instances?: number; latencyCritical?: boolean } = {}) {
  const n = opts.instances ?? 2
  const ids = Array.from({ length: n }, (_, i) => `i-${suffix}${123456 + i}`)
  return {
    instances: ids.map((id, i) => ({ instance_id: id, instance_type: 'p4d.24xlarge', region: 'us-east-1', pricing: 'on-demand' as const, gpu_type: 'A100', gpu_count: 8, utilization: 0.78 - i * 0.06 })),
    vllm_deployments: [{ deployment_id: `vllm-prod-${suffix || '1'}`, model: 'meta-llama/Llama-3-70B', instance_ids: ids, requests_per_second: 45, avg_latency_p95: 1600, slo: SEED_DECLARED_SLO, ...(opts.latencyCritical ? { latency_critical: true } : {}) }],
  }
}

/** Registers the seed fleet for a customer; returns its deployment. */
export async function registerSeedFleet(sim: Simulator, customerId: string, suffix = '', opts: { instances?: number } = {}): Promise<FleetDeployment> {
  const fleet = await sim.registerFleet(customerId, seedFleetSpec(suffix, opts))
  return fleet.deployments[0]!
}

/** A spot-migration plan for a deployment: the same pools on spot, same configuration. */
export async function spotPlanFor(sim: Simulator, customerId: string, deploymentId: string): Promise<{ plan: ChangePlan; before: number; after: number }> {
  const { deployments, instances } = await sim.listResources(customerId)
  const d = deployments.find((x) => x.id === deploymentId)!
  const stable = instances.filter((i) => d.stable.instanceIds.includes(i.id))
  const sample = stable[0]!
  const prices = await sim.getPrices(sample.cloud, sample.region)
  const q = prices.find((p) => p.instanceType === sample.instanceType)!
  const pool: PoolSpec = { cloud: sample.cloud, region: sample.region, instanceType: sample.instanceType, pricing: 'spot', count: stable.length }
  const before = stable.reduce((s, i) => s + i.hourlyUsd, 0) * HOURS_PER_MONTH
  const after = q.spotHourlyUsd! * stable.length * HOURS_PER_MONTH
  return { plan: { deploymentId, pools: [pool], config: d.stable.config, summary: `${stable.length}× ${sample.instanceType} on-demand → spot` }, before, after }
}

/** A configuration-change plan (e.g. FP8 KV cache) on the deployment's current pools. */
export async function configPlanFor(sim: Simulator, customerId: string, deploymentId: string, patch: Partial<EngineConfig>): Promise<ChangePlan> {
  const { deployments, instances } = await sim.listResources(customerId)
  const d = deployments.find((x) => x.id === deploymentId)!
  const stable = instances.filter((i) => d.stable.instanceIds.includes(i.id))
  const s = stable[0]!
  return {
    deploymentId, pools: [{ cloud: s.cloud, region: s.region, instanceType: s.instanceType, pricing: s.pricing, count: stable.length }],
    config: { ...d.stable.config, ...patch }, summary: `engine config ${JSON.stringify(patch)}`,
  }
}

/** What a test recommendation looks like. */
export interface RecFixture {
  customerId: string
  type?: RecommendationType
  agentType?: string
  plan: ChangePlan
  savings: number
  before?: number
  riskLevel?: RiskLevel
  validations?: Partial<Validation>[]
  evidenceAt?: Date
}

/** Inserts a pending recommendation with validations (default: performance approves, application baseline). */
export async function insertRecommendation(db: Db, clock: Clock, f: RecFixture): Promise<string> {
  const now = clock.now()
  const before = f.before ?? f.savings * 2
  const rows = await db.query<{ id: string }>(
    `INSERT INTO recommendations (customer_id, deployment_id, type, agent_type, title, risk_level, risk_reasons, estimated_savings_micros, confidence,
       predicted, evidence, plan, dedupe_key, evidence_at, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, '[]', $7, 0.8, $8, '{}', $9, $10, $11, $12, $12) RETURNING id`,
    [f.customerId, f.plan.deploymentId, f.type ?? 'spot_migration', f.agentType ?? 'cost', f.plan.summary, f.riskLevel ?? 'medium', Math.round(f.savings * 1e6),
      JSON.stringify({ monthlyCostUsdBefore: before, monthlyCostUsdAfter: before - f.savings }), JSON.stringify(f.plan),
      `${f.type ?? 'spot_migration'}:${f.plan.deploymentId}:${randomUUID()}`, f.evidenceAt ?? now, now])
  const id = rows[0]!.id
  const validations = f.validations ?? [
    { agent_type: 'performance', approved: true, baseline_established: false, reason: 'p95 within SLO at predicted load' },
    { agent_type: 'application', approved: true, baseline_established: true, reason: 'quality baseline 0.90 on 40 prompts' },
  ]
  for (const v of validations) {
    await db.query('INSERT INTO recommendation_validations (recommendation_id, agent_type, approved, baseline_established, reason, at) VALUES ($1, $2, $3, $4, $5, $6)',
      [id, v.agent_type, v.approved ?? true, v.baseline_established ?? false, v.reason ?? 'ok', now])
  }
  return id
}

/**
 * A real platform (HTTP on a free port, fresh store) whose only background worker is the workflow
 * engine: optimization tests do not depend on the agents' or runtime's schedules. (On PostgreSQL
 * this also keeps the test pool free: every LISTEN holds a pooled connection.)
 */
export async function startWorkflowPlatform(opts: WorkflowServiceOptions = {}): Promise<TestPlatform & { worker: ReturnType<typeof workflowService> }> {
  const p = await startTestPlatform({ workers: false })
  const worker = workflowService(p.deps, { pollMs: 100, ...opts })
  await worker.start()
  return { ...p, worker, stop: async () => { await worker.stop(); await p.stop() } }
}
