/**
 * The agent seam: an agent looks at one customer's fleet through an AgentContext and returns
 * findings, recommendation drafts and verdicts on other agents' recommendations. Agents do no I/O
 * of their own (the one exception, the application agent's quality probe, is a capability the
 * context hands in), so the same code runs in-process, in a separate process and in unit tests.
 */
import type { DeploymentSignals } from '../telemetry/signals.ts'
import type { Preferences } from '../../api/common.ts'
import type { Catalog } from '../cloud/catalog/catalog.ts'
import type { FleetDeployment, FleetInstance, PriceQuote } from '../cloud/provider.ts'
import type { AgentType, RecommendationDraft } from '../recommendations/recommendation.ts'

/**
 * What the scraped telemetry says about a deployment's stable group over the analysis window
 * (structurally the telemetry's `DeploymentSignals`); a signal the fleet does not expose is null.
 */
export type ObservedSignals = Omit<DeploymentSignals, 'ttftP95Ms' | 'p99LatencyMaxMs' | 'kvCacheUsageMax' | 'queueDepthMax' | 'promptTokensPerSec' | 'generationTokensPerSec' | 'prefixCacheHitRate'> & {
  ttftP95Ms?: number | null
  /** With prefix caching on: the shared-prefix share of prompts the agents learn. */
  prefixCacheHitRate?: number | null
  /** Token rates: with the request rate, the request shape the agents learn (server/agents/workload). */
  promptTokensPerSec?: number | null
  generationTokensPerSec?: number | null
}

/** A deployment's mean request rate over one hour of telemetry. */
export interface HourlyRate { at: string; rps: number }

/** Where a number an agent acted on came from: scraped telemetry, or the serving model's prediction. */
export type EvidenceSource = 'telemetry' | 'model'

/** Why an analysis left a deployment alone, and from when it is judged again (null: a change still runs). */
export interface Settling { since: string; until: string | null; reason: string }

/** What an analysis based a deployment on: an evidence source, or nothing yet because it is settling. */
export type AnalysisSource = EvidenceSource | 'settling'

/** One evaluation prompt's outcome; kept per prompt so canary and stable can be paired. */
export interface ProbeItem { id: string; correct: boolean; score: number }

/** The answer-quality probe result for one serving group. */
export interface QualityProbeResult {
  deploymentId: string
  group: 'stable' | 'canary'
  endpoint: string
  prompts: number
  answered: number
  errors: number
  /** Errors that were overload refusals (HTTP 503/429, time-outs): the group's own errors, not a missing measurement. */
  refused?: number
  /** Mean score over answered prompts, 0..1. */
  score: number
  items: ProbeItem[]
  /** Why the last failed prompt failed (HTTP status, time-out), for the evidence. */
  lastError?: string
}

/** What to probe: `count` evaluation prompts (rotated by `seed`), or exactly `itemIds` (to pair canary with stable); `model` is the served model name vLLM expects. */
export interface QualityProbeRequest { deploymentId: string; group: 'stable' | 'canary'; endpoint: string; count: number; seed?: string; itemIds?: string[]; model?: string }

/** Sends evaluation prompts to a group's OpenAI-compatible endpoint and scores the answers. */
export type QualityProbe = (req: QualityProbeRequest) => Promise<QualityProbeResult>

/** Everything an agent may look at for one customer; JSON-serializable apart from the capabilities. */
export interface AgentContext {
  customerId: string
  /** Domain time of the analysis (ISO), from the platform's Clock. */
  now: string
  preferences: Preferences
  fleet: { instances: FleetInstance[]; deployments: FleetDeployment[] }
  /** Current price lists of every cloud region an agent may place work in. */
  prices: PriceQuote[]
  /** Stable-group telemetry per deployment id; null where no samples exist yet. */
  signals: Record<string, ObservedSignals | null>
  /**
   * Where that telemetry came from and the window it covers, named in each recommendation's
   * evidence; `via` maps a deployment to its source (absent: pushed by the runtime or remote-write);
   * `from` is a deployment's own window start where its last change ended after `windowFrom`.
   */
  telemetry?: { windowFrom: string; windowTo: string; via: Record<string, string>; from?: Record<string, string> }
  /**
   * Deployments a change is rolling out on, or that changed too recently to be judged
   * (server/orchestrator/settle.ts): agents leave them, and their pending recommendations, alone.
   */
  settling?: Record<string, Settling>
  /**
   * Each deployment's request rate (both groups) per hour over the last day of telemetry, oldest
   * first: the day's shape the agents learn (server/agents/daily-shape.ts). Absent or short where
   * telemetry has not covered a day yet.
   */
  daily?: Record<string, HourlyRate[]>
  catalog: Catalog
  /** Capability of the application agent; absent where no endpoint can be reached. */
  probe?: QualityProbe
}

/** A quality score to persist as a `quality_score` point (the runner writes it, not the agent). */
export interface QualityScoreRecord {
  deploymentId: string
  group: 'stable' | 'canary'
  score: number
  samples: number
  purpose: 'baseline' | 'monitor' | 'validation'
}

/** Something an agent noticed; a finding may or may not become a recommendation. */
export interface Finding {
  kind: string
  deploymentId: string | null
  severity: 'info' | 'warning' | 'critical'
  summary: string
  source: EvidenceSource
  data: Record<string, unknown>
  qualityScore?: QualityScoreRecord
}

/** A stored recommendation as validators see it. */
export type RecommendationUnderReview = RecommendationDraft & { id: string }

/** An agent's verdict on another agent's recommendation (the runner stamps agent type and time). */
export interface ValidationVerdict {
  approved: boolean
  baseline_established: boolean
  reason: string
  data: Record<string, unknown>
  qualityScore?: QualityScoreRecord
}

/** The agent interface every agent implements and `agent.contract.ts` checks. */
export interface Agent {
  readonly type: AgentType
  readonly version: string
  /** What the agent can do: the analysis type it serves and the recommendation kinds it drafts. */
  readonly capabilities: readonly string[]
  /** Looks at the fleet and lists what it noticed. */
  detect(ctx: AgentContext): Promise<Finding[]>
  /** Turns a finding into a recommendation draft, or null when nothing is worth proposing. */
  recommend(finding: Finding, ctx: AgentContext): Promise<RecommendationDraft | null>
  /** Whether this agent has a say on another agent's recommendation. */
  validates(rec: RecommendationUnderReview): boolean
  /** Approves or rejects another agent's recommendation, with reasons. */
  validate(rec: RecommendationUnderReview, ctx: AgentContext): Promise<ValidationVerdict>
}

/** The analysis types of `POST /orchestrator/analyze`, and which agent serves each. */
export const ANALYSIS_TYPES = {
  cost_optimization: 'cost',
  performance_optimization: 'performance',
  resource_optimization: 'resource',
  quality_check: 'application',
} as const satisfies Record<string, AgentType>
export type AnalysisType = keyof typeof ANALYSIS_TYPES

/** The analysis type an agent type serves (inverse of ANALYSIS_TYPES). */
export function analysisTypeOf(agentType: AgentType): AnalysisType {
  const hit = (Object.keys(ANALYSIS_TYPES) as AnalysisType[]).find((k) => ANALYSIS_TYPES[k] === agentType)
  if (!hit) throw new Error(`no analysis type for agent ${agentType}`)
  return hit
}
