import { useNavigate } from 'react-router-dom'
import { retryOptimization } from '../api/endpoints.ts'
import { invalidate, useAction } from '../api/query.ts'
import type { Optimization } from '../api/types.ts'
import { useScopedHref } from '../lib/scope.ts'
import { ActionError } from './ui.tsx'

/**
 * Argo's `retry` for a rolled-back or failed rollout: the change comes back as a new
 * recommendation, validated again by the agents, which the customer then approves as any other.
 */
export function RetryControl({ o }: { o: Optimization }) {
  const navigate = useNavigate()
  const href = useScopedHref()
  const retry = useAction(async () => {
    const r = await retryOptimization(o.id)
    invalidate(['recommendations', 'dashboard'])
    navigate(href(`/app/recommendations/${r.recommendation_id}`))
  })
  return (
    <div className="row-gap" data-testid="retry-control">
      <button type="button" className="btn" onClick={() => void retry.run()} disabled={retry.pending} data-testid="retry-button">{retry.pending ? 'Proposing…' : 'Retry this change'}</button>
      <span className="muted small">Proposes it again: the agents re-validate it on today’s fleet, then you approve.</span>
      <ActionError error={retry.error} />
    </div>
  )
}
