import { useState } from 'react'
import { Link, useNavigate } from 'react-router-dom'
import { executeResolution, listConflicts, listRecommendations, resolveConflict } from '../api/endpoints.ts'
import { invalidate, useAction, useQuery } from '../api/query.ts'
import type { ConflictResolution, Recommendation } from '../api/types.ts'
import { NoCustomer } from '../components/layout.tsx'
import { ActionError, Async, Badge, Card, EmptyState, KeyValues, PageHeader, StatusBadge } from '../components/ui.tsx'
import { label, shortId, usd, when } from '../lib/format.ts'
import { useCustomerId, useScopedHref } from '../lib/scope.ts'
import { scalarRows } from '../lib/values.ts'

const STRATEGY_HELP: Record<string, string> = {
  prioritize_customer: 'Your stated preference decided it.',
  negotiate_hybrid: 'A hybrid meets both goals where possible.',
  sequential_execution: 'Both run, one after the other, never on the same resources at once.',
}

/** Conflicts: recommendations that touch the same resources, and how the orchestrator resolved them. */
export default function ConflictsPage() {
  const customerId = useCustomerId()
  const conflicts = useQuery(['conflicts', customerId], () => listConflicts(customerId!), { enabled: !!customerId })
  const recs = useQuery(['recommendations', customerId, { all: true }], () => listRecommendations(customerId!), { enabled: !!customerId })
  if (!customerId) return <NoCustomer />
  const byId = new Map((recs.data ?? []).map((r) => [r.id, r]))
  return (
    <div data-testid="conflicts-page">
      <PageHeader title="Conflicts" subtitle="When two recommendations touch the same resources, the orchestrator decides: your preferences first, then performance, then cost" />
      <Card title="Resolutions" testid="conflicts">
        <Async q={conflicts} lines={4} empty={<EmptyState title="No conflicts">No two recommendations have competed for the same resources so far.</EmptyState>}>
          {(list) => <div className="stack">{list.map((c) => <Resolution key={c.id} c={c} byId={byId} />)}</div>}
        </Async>
      </Card>
      <CheckConflicts customerId={customerId} recs={(recs.data ?? []).filter((r) => r.status === 'pending')} />
    </div>
  )
}

function RecLink({ id, byId }: { id: string; byId: Map<string, Recommendation> }) {
  const href = useScopedHref()
  const r = byId.get(id)
  return <Link to={href(`/app/recommendations/${id}`)}>{r ? `${r.title ?? label(r.type)} (${label(r.agent_type)}, ${usd(r.estimated_savings)}/mo)` : `Recommendation ${shortId(id)}`}</Link>
}

function Resolution({ c, byId }: { c: ConflictResolution; byId: Map<string, Recommendation> }) {
  const href = useScopedHref()
  const navigate = useNavigate()
  const exec = useAction(async () => {
    const reply = await executeResolution(c.id)
    invalidate(['conflicts', 'optimizations', 'recommendations', 'dashboard'])
    navigate(href(`/app/optimizations/${reply.optimization_id}`))
  })
  const chosen = c.chosen_recommendation
  const optimizationIds = c.optimization_ids ?? []
  return (
    <article className="resolution" data-testid="conflict-row" data-id={c.id} data-strategy={c.resolution_strategy ?? ''} data-conflict={String(c.conflict_detected)}>
      <div className="resolution-head">
        <Badge tone={c.conflict_detected ? 'warning' : 'success'}>{c.conflict_detected ? 'Conflict detected' : 'No conflict'}</Badge>
        {c.resolution_strategy && <Badge tone="accent">{label(c.resolution_strategy)}</Badge>}
        {c.status && <StatusBadge status={c.status} />}
        <span className="muted small">{when(c.created_at)}</span>
      </div>
      {c.rationale && <p>{c.rationale}</p>}
      {c.resolution_strategy && STRATEGY_HELP[c.resolution_strategy] && <p className="muted small">{STRATEGY_HELP[c.resolution_strategy]}</p>}
      {c.recommendation_ids?.length ? <div className="small"><strong>Involved:</strong><ul className="bullets">{c.recommendation_ids.map((id) => <li key={id}><RecLink id={id} byId={byId} /></li>)}</ul></div> : null}
      {chosen && <div className="small"><strong>Chosen:</strong> <RecLink id={chosen} byId={byId} /></div>}
      {c.execution_order?.length ? <div className="small"><strong>Execution order:</strong><ol className="bullets">{c.execution_order.map((id) => <li key={id}><RecLink id={id} byId={byId} /></li>)}</ol></div> : null}
      {c.hybrid_solution && <div className="small"><strong>Hybrid solution:</strong><KeyValues rows={scalarRows(c.hybrid_solution)} /></div>}
      <div className="row-gap">
        {optimizationIds.length > 0
          ? optimizationIds.map((id, i) => <Link key={id} className="btn btn-sm" to={href(`/app/optimizations/${id}`)}>View rollout{optimizationIds.length > 1 ? ` ${i + 1}` : ''}</Link>)
          : c.conflict_detected && <button type="button" className="btn btn-primary btn-sm" onClick={() => void exec.run()} disabled={exec.pending} data-testid="execute-resolution">{exec.pending ? 'Starting…' : 'Execute resolution'}</button>}
      </div>
      <ActionError error={exec.error} />
    </article>
  )
}

function CheckConflicts({ customerId, recs }: { customerId: string; recs: Recommendation[] }) {
  const [picked, setPicked] = useState<string[]>([])
  const [result, setResult] = useState<ConflictResolution | null>(null)
  const check = useAction(async () => {
    setResult(await resolveConflict(customerId, picked))
    invalidate(['conflicts'])
  })
  const toggle = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id]))
  return (
    <Card title="Check recommendations against each other" subtitle="Pick two or more open recommendations; the orchestrator tells you whether they conflict and how it would resolve it" testid="check-conflicts">
      {recs.length < 2 ? <EmptyState title="Fewer than two open recommendations">There is nothing to compare right now.</EmptyState> : (
        <fieldset className="checklist">
          <legend className="sr-only">Open recommendations</legend>
          {recs.map((r) => (
            <label key={r.id} className="check">
              <input type="checkbox" checked={picked.includes(r.id)} onChange={() => toggle(r.id)} data-testid="conflict-pick" data-id={r.id} />
              <span>{r.title ?? label(r.type)} <span className="muted small">· {label(r.agent_type)} · {usd(r.estimated_savings)}/mo</span></span>
            </label>
          ))}
          <div className="row-gap">
            <button type="button" className="btn" disabled={picked.length < 2 || check.pending} onClick={() => void check.run()} data-testid="check-conflicts-button">{check.pending ? 'Checking…' : 'Check for conflicts'}</button>
            {result && <span className="small" role="status">{result.conflict_detected ? `Conflict: resolved by ${label(result.resolution_strategy)}` : 'No conflict between these recommendations.'}</span>}
          </div>
          <ActionError error={check.error} />
        </fieldset>
      )}
    </Card>
  )
}
