import { agents } from './index.ts'
import { describeAgentContract } from './agent.contract.ts'
import { buildContext, modelProbe, type DeploymentSpec } from './testing.ts'
import type { AgentContext, RecommendationUnderReview } from './agent.ts'
import type { AgentType } from '../recommendations/recommendation.ts'

// One fleet with something for every agent: the seeds' spot fixture, an over-provisioned 8B on
// H100s (FP8, consolidation, right-sizing), and a 70B short of capacity (scale-out, batching).
const FLEET: DeploymentSpec[] = [
  { id: 'vllm-prod-1', model: 'llama-3-70b', instanceType: 'p4d.24xlarge', count: 2, rps: 45, amplitude: 0.3 },
  { id: 'chat-8b', model: 'llama-3.1-8b', instanceType: 'p5.4xlarge', count: 4, rps: 20, amplitude: 0.3, traffic: { promptTokensMean: 512, outputTokensMean: 256, prefixShare: 0.2 } },
  { id: 'busy-70b', model: 'llama-3.1-70b', instanceType: 'p4de.24xlarge', count: 2, rps: 80, amplitude: 0.2 },
]

function withProbe(ctx: AgentContext): AgentContext {
  return { ...ctx, probe: modelProbe(ctx) }
}

function foreign(ctx: AgentContext, notFrom: AgentType): RecommendationUnderReview {
  const dep = ctx.fleet.deployments[0]!
  const from: AgentType = notFrom === 'cost' ? 'resource' : 'cost'
  return {
    id: '00000000-0000-4000-8000-00000000abcd', type: 'spot_migration', agentType: from, deploymentId: dep.id, title: 'Move vllm-prod-1 to spot',
    riskLevel: 'medium', riskReasons: ['test'], estimatedMonthlySavingsUsd: 1000, confidence: 0.7,
    predicted: { monthlyCostUsdBefore: 2000, monthlyCostUsdAfter: 1000 }, evidence: { source: 'model' },
    plan: { deploymentId: dep.id, pools: [{ cloud: 'aws', region: 'us-east-1', instanceType: 'p4d.24xlarge', pricing: 'spot', count: 2 }], config: dep.stable.config, summary: 'to spot' },
    dedupeKey: `spot_migration:${dep.id}`,
  }
}

for (const agent of agents) {
  describeAgentContract(agent, {
    empty: () => withProbe(buildContext([])),
    fleet: () => withProbe(buildContext(FLEET)),
    foreignRecommendation: foreign,
  })
}
