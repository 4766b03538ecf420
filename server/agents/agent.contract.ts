/**
 * The contract every agent passes (convention 7): identity and capabilities, pure and
 * deterministic analysis over a context, well-formed drafts whose numbers add up, and verdicts
 * that never throw on another agent's recommendation. `agent.contract.test.ts` runs it per agent.
 */
import { describe, expect, it } from 'vitest'
import { findInstanceType } from '../cloud/catalog/catalog.ts'
import { AGENT_TYPES, RECOMMENDATION_TYPES, type RecommendationDraft } from '../recommendations/recommendation.ts'
import { analysisTypeOf, type Agent, type AgentContext, type RecommendationUnderReview } from './agent.ts'
import { runAnalysis } from './run.ts'

/** Contexts the suite runs the agent on: an empty fleet, a fleet with opportunities, and a recommendation from another agent. */
export interface ContractFixtures {
  empty: () => AgentContext
  fleet: () => AgentContext
  foreignRecommendation: (ctx: AgentContext, notFrom: Agent['type']) => RecommendationUnderReview
}

function checkDraft(agent: Agent, ctx: AgentContext, d: RecommendationDraft): void {
  expect(d.agentType).toBe(agent.type)
  expect(RECOMMENDATION_TYPES).toContain(d.type)
  expect(agent.capabilities).toContain(d.type)
  expect(ctx.fleet.deployments.map((x) => x.id)).toContain(d.deploymentId)
  expect(d.plan.deploymentId).toBe(d.deploymentId)
  expect(d.title.length).toBeGreaterThan(10)
  expect(['low', 'medium', 'high']).toContain(d.riskLevel)
  expect(d.riskReasons.length).toBeGreaterThan(0)
  expect(d.confidence).toBeGreaterThan(0)
  expect(d.confidence).toBeLessThanOrEqual(1)
  expect(Number.isFinite(d.estimatedMonthlySavingsUsd)).toBe(true)
  // savings are exactly what the prediction says the bill does (to the cent)
  expect(d.estimatedMonthlySavingsUsd).toBeCloseTo(d.predicted.monthlyCostUsdBefore - d.predicted.monthlyCostUsdAfter, 1)
  expect(d.plan.pools.length).toBeGreaterThan(0)
  for (const p of d.plan.pools) {
    expect(findInstanceType(ctx.catalog, p.cloud, p.instanceType)).toBeDefined()
    expect(Number.isInteger(p.count) && p.count >= 1).toBe(true)
  }
  expect(d.dedupeKey).toContain(d.deploymentId)
  expect(typeof d.evidence.source).toBe('string')
  expect(JSON.parse(JSON.stringify(d))).toEqual(d)
}

/** Registers the contract suite for one agent. */
export function describeAgentContract(agent: Agent, f: ContractFixtures): void {
  describe(`agent contract: ${agent.type}`, () => {
    it('declares a known type, a version and the analysis type it serves', () => {
      expect(AGENT_TYPES).toContain(agent.type)
      expect(agent.version).toMatch(/^\d+\.\d+\.\d+$/)
      expect(agent.capabilities).toContain(analysisTypeOf(agent.type))
    })

    it('finds nothing and proposes nothing on an empty fleet', async () => {
      const out = await runAnalysis(agent, f.empty())
      expect(out.findings).toEqual([])
      expect(out.drafts).toEqual([])
    })

    it('drafts well-formed recommendations whose savings follow from the prediction', async () => {
      const ctx = f.fleet()
      const out = await runAnalysis(agent, ctx)
      for (const d of out.drafts) checkDraft(agent, ctx, d)
      expect(new Set(out.drafts.map((d) => d.dedupeKey)).size).toBe(out.drafts.length)
    })

    it('is pure and deterministic: the context is unchanged and a rerun gives the same drafts', async () => {
      const ctx = f.fleet()
      const before = JSON.stringify(ctx, (_k, v: unknown) => (typeof v === 'function' ? 'fn' : v))
      const first = await runAnalysis(agent, ctx)
      const second = await runAnalysis(agent, ctx)
      expect(JSON.stringify(ctx, (_k, v: unknown) => (typeof v === 'function' ? 'fn' : v))).toBe(before)
      expect(second.drafts).toEqual(first.drafts)
    })

    it('answers on another agent\'s recommendation with a reasoned verdict, and rejects one for a vanished deployment', async () => {
      const ctx = f.fleet()
      const rec = f.foreignRecommendation(ctx, agent.type)
      const v = await agent.validate(rec, ctx)
      expect(typeof v.approved).toBe('boolean')
      expect(typeof v.baseline_established).toBe('boolean')
      expect(v.reason.length).toBeGreaterThan(5)
      if (agent.validates(rec)) {
        const gone = await agent.validate({ ...rec, deploymentId: 'no-such-deployment', plan: { ...rec.plan, deploymentId: 'no-such-deployment' } }, ctx)
        expect(gone.approved).toBe(false)
      }
    })

    it('never validates its own recommendations', () => {
      const rec = f.foreignRecommendation(f.fleet(), agent.type)
      expect(agent.validates({ ...rec, agentType: agent.type })).toBe(false)
    })
  })
}
