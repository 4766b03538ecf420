/**
 * The vocabularies server and portal share: agent types, recommendation types and statuses, risk
 * levels. Plain constants (no Node or DOM APIs) so the portal bundles them as they are.
 */

/** The four agents. */
export const AGENT_TYPES = ['cost', 'performance', 'resource', 'application'] as const
export type AgentType = (typeof AGENT_TYPES)[number]

/** What a recommendation changes. */
export const RECOMMENDATION_TYPES = [
  'spot_migration', 'reserved_capacity', 'instance_rightsizing', 'cross_cloud_migration',
  'kv_cache_tuning', 'quantization', 'batching_tuning', 'consolidation', 'autoscaling',
] as const
export type RecommendationType = (typeof RECOMMENDATION_TYPES)[number]

/** Where a recommendation is in its life. */
export const RECOMMENDATION_STATUSES = ['pending', 'approved', 'rejected', 'executing', 'completed', 'failed', 'rolled_back', 'superseded'] as const
export type RecommendationStatus = (typeof RECOMMENDATION_STATUSES)[number]
export type RiskLevel = 'low' | 'medium' | 'high'
