/**
 * Runs an agent over a context: analysis (detect → recommend) and validation, returning plain
 * data the orchestrator stores the same way whether the agent ran in-process or in another process.
 */
import type { RecommendationDraft } from '../recommendations/recommendation.ts'
import type { Agent, AgentContext, AnalysisSource, Finding, QualityScoreRecord, RecommendationUnderReview, ValidationVerdict } from './agent.ts'

/** What one analysis produced. */
export interface AnalysisOutput {
  findings: Finding[]
  drafts: RecommendationDraft[]
  qualityScores: QualityScoreRecord[]
  /** Per deployment: whether telemetry or only the model backed the analysis, or it was left alone while settling. */
  sources: Record<string, AnalysisSource>
  durationMs: number
}

/** What one validation produced. */
export interface ValidationOutput { verdict: ValidationVerdict; qualityScores: QualityScoreRecord[]; durationMs: number }

/** Detects, then drafts a recommendation per finding (one per dedupe key: the first wins). */
export async function runAnalysis(agent: Agent, ctx: AgentContext): Promise<AnalysisOutput> {
  const started = performance.now()
  const findings = await agent.detect(ctx)
  const drafts: RecommendationDraft[] = []
  const keys = new Set<string>()
  for (const f of findings) {
    const d = await agent.recommend(f, ctx)
    if (d && !keys.has(d.dedupeKey)) { keys.add(d.dedupeKey); drafts.push(d) }
  }
  const sources: Record<string, AnalysisSource> = {}
  for (const dep of ctx.fleet.deployments) sources[dep.id] = ctx.settling?.[dep.id] ? 'settling' : (ctx.signals[dep.id]?.samples ?? 0) > 0 ? 'telemetry' : 'model'
  return {
    findings: [...findings, ...settlingFindings(ctx)].map(({ data, ...f }) => ({ ...f, data: jsonSafe(data) })),
    drafts, qualityScores: findings.flatMap((f) => (f.qualityScore ? [f.qualityScore] : [])), sources, durationMs: performance.now() - started,
  }
}

/** One info finding per settling deployment: why the analysis left it alone and until when. */
function settlingFindings(ctx: AgentContext): Finding[] {
  return Object.entries(ctx.settling ?? {}).map(([deploymentId, s]) => ({
    kind: 'settling', deploymentId, severity: 'info' as const, source: 'telemetry' as const, data: { ...s },
    summary: `${deploymentId} is not judged yet: ${s.reason}${s.until ? `; it is analyzed again from ${s.until}` : ''}`,
  }))
}

/** Validates another agent's recommendation. */
export async function runValidation(agent: Agent, rec: RecommendationUnderReview, ctx: AgentContext): Promise<ValidationOutput> {
  const started = performance.now()
  const verdict = await agent.validate(rec, ctx)
  return { verdict, qualityScores: verdict.qualityScore ? [verdict.qualityScore] : [], durationMs: performance.now() - started }
}

/** Strips what JSON cannot carry (Infinity, NaN, functions) so findings store and travel the same everywhere. */
export function jsonSafe<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))) as T
}
