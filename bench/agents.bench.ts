/**
 * Agent analysis at fleet scale (seed 003: "decision_time < 2 sec"): all four agents analyse a
 * synthetic 1,000-instance fleet (250 deployments of 4 instances, mixed models, GPU types, clouds
 * and loads), then every draft is cross-validated. Pure agent code over an AgentContext; the
 * application agent's probe answers from the quality model (no HTTP), so this measures decisions,
 * not network round trips. The scaling figures repeat the measurement at 1k, 10k and 50k instances
 * (issue 15: proportional cost, 10k decided in under a second).
 */
import type { ModelId } from '../server/cloud/model/models.ts'
import type { BenchResult } from './bench.ts'
import type { AgentContext } from '../server/agents/agent.ts'
import { agents, validatorsFor } from '../server/agents/index.ts'
import { runAnalysis, runValidation } from '../server/agents/run.ts'
import { buildContext, modelProbe, type DeploymentSpec } from '../server/agents/testing.ts'
import { clearFleetMemos } from '../server/agents/fleet.ts'
import { clearPlacementMemos } from '../server/agents/cost/placement.ts'


// Model × instance pairings that fit (the serving model refuses the rest): [model, type, cloud, base rps range].
const SHAPES: [ModelId, string, 'aws' | 'gcp', number, number][] = [
  ['llama-3-70b', 'p4d.24xlarge', 'aws', 20, 60], ['llama-3.1-70b', 'p4de.24xlarge', 'aws', 20, 90],
  ['llama-3.1-8b', 'p5.4xlarge', 'aws', 5, 40], ['mistral-7b', 'g6e.xlarge', 'aws', 2, 20], ['llama-3-8b', 'g5.2xlarge', 'aws', 1, 8],
  ['qwen2.5-7b', 'g6.2xlarge', 'aws', 1, 6], ['qwen2.5-72b', 'p5.48xlarge', 'aws', 30, 150],
  ['llama-3-70b', 'a2-highgpu-8g', 'gcp', 20, 60], ['llama-3.1-8b', 'g2-standard-8', 'gcp', 1, 6], ['gemma-2-9b', 'a3-highgpu-1g', 'gcp', 5, 30],
]

/** A deterministic synthetic fleet of `deployments × 4` instances. */
export function syntheticFleet(deployments: number): DeploymentSpec[] {
  return Array.from({ length: deployments }, (_, i) => {
    const [model, instanceType, cloud, lo, hi] = SHAPES[i % SHAPES.length]!
    const u = ((i * 7919) % 1000) / 1000
    return {
      id: `dep-${i}`, model, instanceType, cloud, count: 4, rps: Number((lo + u * (hi - lo)).toFixed(2)), amplitude: 0.3,
      latencyCritical: i % 5 === 0, pricing: i % 9 === 0 && instanceType !== 'p5.4xlarge' ? 'spot' : 'on-demand',
      ...(i % 4 === 0 ? { config: { enablePrefixCaching: false } } : {}),
    }
  })
}

async function measure(ctx: AgentContext) {
  clearFleetMemos()
  clearPlacementMemos()
  const started = performance.now()
  const outputs = []
  for (const agent of agents) outputs.push({ agent: agent.type, out: await runAnalysis(agent, ctx) })
  const analysisMs = performance.now() - started
  const drafts = outputs.flatMap((o) => o.out.drafts)
  const vStart = performance.now()
  let validations = 0
  for (const d of drafts) {
    const rec = { ...d, id: `bench-${validations}` }
    for (const v of validatorsFor(rec)) { await runValidation(v, rec, ctx); validations++ }
  }
  return { outputs, drafts, validations, analysisMs, validationMs: performance.now() - vStart }
}

/** Fleet sizes (deployments of 4 instances) of the scaling figures: 1k, 10k and 50k instances. */
const SCALES = [250, 2_500, 12_500]

/** Decision time at each fleet size (JIT warm, memos cleared) and how it grows per instance. */
async function scaling(): Promise<BenchResult[]> {
  const round = (x: number) => Number(x.toFixed(1))
  const rows: BenchResult[] = []
  let perInstance1k = 0
  for (const deployments of SCALES) {
    const base = buildContext(syntheticFleet(deployments))
    const r = await measure({ ...base, probe: modelProbe(base) })
    const ms = r.analysisMs + r.validationMs
    const instances = base.fleet.instances.length
    if (deployments === SCALES[0]) perInstance1k = ms / instances
    const heapMiB = process.memoryUsage().heapUsed / 2 ** 20
    rows.push({
      name: `agents: decision for ${instances.toLocaleString('en-US')} instances / ${deployments.toLocaleString('en-US')} deployments`, value: round(ms), unit: 'ms',
      target: deployments === 2_500 ? 1000 : null, better: 'lower',
      note: `analysis ${r.analysisMs.toFixed(0)} ms, validation ${r.validationMs.toFixed(0)} ms of ${r.drafts.length} drafts; heap ${heapMiB.toFixed(0)} MiB after`,
    })
    if (deployments !== SCALES[0]) {
      rows.push({ name: `agents: time per instance at ${instances.toLocaleString('en-US')} vs 1,000 instances`, value: Number(((ms / instances) / perInstance1k).toFixed(2)), unit: '×', target: 1, better: 'lower', note: 'proportional cost: 1 = linear in fleet size' })
    }
  }
  return rows
}

/** Runs the measurement: a cold process-first run (JIT and memos empty), a second run with memos cleared (JIT warm), then the fleet-size scaling. */
export async function run(): Promise<BenchResult[]> {
  const base = buildContext(syntheticFleet(250))
  const ctx = { ...base, probe: modelProbe(base) }
  const cold = await measure(ctx)
  const warm = await measure(ctx)
  const per = cold.outputs.map((o) => `${o.agent} ${o.out.durationMs.toFixed(0)} ms/${o.out.drafts.length} drafts`).join(', ')
  const round = (x: number) => Number(x.toFixed(1))
  return [
    { name: 'agents: analysis of a 1,000-instance fleet (4 agents, cold)', value: round(cold.analysisMs), unit: 'ms', target: 2000, better: 'lower', note: `${ctx.fleet.instances.length} instances, ${ctx.fleet.deployments.length} deployments; ${per}` },
    { name: 'agents: cross-validation of every draft (cold)', value: round(cold.validationMs), unit: 'ms', target: null, better: 'lower', note: `${cold.drafts.length} drafts, ${cold.validations} verdicts` },
    { name: 'agents: decision = analysis + validation (cold)', value: round(cold.analysisMs + cold.validationMs), unit: 'ms', target: 2000, better: 'lower' },
    { name: 'agents: decision = analysis + validation (JIT warm, memos cleared)', value: round(warm.analysisMs + warm.validationMs), unit: 'ms', target: 2000, better: 'lower' },
    ...(await scaling()),
  ]
}
