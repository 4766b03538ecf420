import { useState } from 'react'
import { Link } from 'react-router-dom'
import { listAudit, listOptimizations } from '../api/endpoints.ts'
import { useQuery } from '../api/query.ts'
import type { AuditEntry, Optimization } from '../api/types.ts'
import { NoCustomer } from '../components/layout.tsx'
import { Async, Card, EmptyState, PageHeader, StatusBadge, scrollRegion } from '../components/ui.tsx'
import { actor, duration, label, shortId, usd, when } from '../lib/format.ts'
import { useCustomerId, useScopedHref } from '../lib/scope.ts'

/** History: every optimization with its outcome, and the full audit trail. */
export default function HistoryPage() {
  const customerId = useCustomerId()
  const opts = useQuery(['optimizations', customerId], () => listOptimizations(customerId!), { enabled: !!customerId })
  const audit = useQuery(['audit', customerId, ''], () => listAudit(customerId!), { enabled: !!customerId, minIntervalMs: 3000 })
  if (!customerId) return <NoCustomer />
  return (
    <div data-testid="history-page">
      <PageHeader title="History and audit" subtitle="Past optimizations with their measured outcomes, and who did what, when" />
      <Card title="Optimizations" testid="optimizations">
        <Async q={opts} lines={5} empty={<EmptyState title="No optimizations yet">Approve a recommendation to start one; its rollout and result are kept here.</EmptyState>}>
          {(list) => <OptimizationsTable list={list} />}
        </Async>
      </Card>
      <Card title="Audit trail" subtitle="Newest first" testid="audit">
        <Async q={audit} lines={6} empty={<EmptyState title="The audit trail is empty" />}>{(entries) => <AuditTable entries={entries} />}</Async>
      </Card>
    </div>
  )
}

function OptimizationsTable({ list }: { list: Optimization[] }) {
  const href = useScopedHref()
  const sorted = [...list].sort((a, b) => (b.started_at ?? '').localeCompare(a.started_at ?? ''))
  return (
    <div className="table-wrap" {...scrollRegion('Optimizations')}>
      <table className="table table-hover" data-testid="optimizations-table">
        <thead><tr>
          <th scope="col">Optimization</th><th scope="col">Status</th><th scope="col">Started</th><th scope="col">Duration</th>
          <th scope="col" className="num">Predicted / month</th><th scope="col" className="num">Actual / month</th><th scope="col">Outcome</th>
        </tr></thead>
        <tbody>
          {sorted.map((o) => (
            <tr key={o.id} data-testid="optimization-row" data-status={o.status}>
              <th scope="row">
                <Link to={href(`/app/optimizations/${o.id}`)} className="row-link">{o.title || `${label(o.type)} ${shortId(o.id)}`}</Link>
                {o.deployment_id && <div className="muted small mono">{o.deployment_id}</div>}
              </th>
              <td><StatusBadge status={o.status} /></td>
              <td className="small">{when(o.started_at)}</td>
              <td className="small">{o.completed_at ? duration(o.started_at, o.completed_at) : '—'}</td>
              <td className="num">{usd(o.result?.predicted_savings)}</td>
              <td className="num strong">{usd(o.result?.actual_savings)}</td>
              <td className="small">{outcomeText(o)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/** The outcome in a few words: the rollback or failure reason, else the status. */
export function outcomeText(o: Optimization): string {
  if (o.status === 'rolled_back' || o.status === 'failed') return o.abort_reason ?? o.result?.error ?? label(o.status)
  if (o.status === 'paused') return o.pause_reason ? `Paused: ${label(o.pause_reason)}` : 'Paused'
  return o.status === 'completed' ? 'Completed' : label(o.current_step ?? o.status)
}

const PAGE = 50

function AuditTable({ entries }: { entries: AuditEntry[] }) {
  const [filter, setFilter] = useState('')
  const [shown, setShown] = useState(PAGE)
  const f = filter.trim().toLowerCase()
  const rows = [...entries].reverse().filter((e) => !f || `${e.action} ${e.actor} ${e.subject_type} ${e.subject_id ?? ''}`.toLowerCase().includes(f))
  return (
    <>
      <label className="inline-field filter-input">
        <span className="muted small">Filter</span>
        <input type="search" value={filter} onChange={(e) => { setFilter(e.target.value); setShown(PAGE) }} placeholder="action, actor or id" data-testid="audit-filter" />
      </label>
      {rows.length === 0 ? <EmptyState title="No entries match" /> : (
        <div className="table-wrap" {...scrollRegion('Audit log')}>
          <table className="table compact" data-testid="audit-table">
            <thead><tr><th scope="col">When</th><th scope="col">Action</th><th scope="col">Actor</th><th scope="col">Subject</th><th scope="col">Detail</th></tr></thead>
            <tbody>
              {rows.slice(0, shown).map((e) => (
                <tr key={e.id} data-testid="audit-row">
                  <td className="small nowrap">{when(e.at)}</td>
                  <td>{label(e.action)}</td>
                  <td className="small" title={e.actor}>{actor(e.actor)}</td>
                  <td className="small">{label(e.subject_type)} <span className="mono">{shortId(e.subject_id)}</span></td>
                  <td className="small detail-cell">{summarize(e.detail)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {rows.length > shown && (
            <div className="table-more">
              <span className="muted small">Showing {shown} of {rows.length}</span>
              <button type="button" className="btn btn-sm" onClick={() => setShown(shown + PAGE * 4)} data-testid="audit-more">Show more</button>
            </div>
          )}
        </div>
      )}
    </>
  )
}

// Audit details are free-form: show the first few scalar fields inline.
function summarize(detail: unknown): string {
  if (!detail || typeof detail !== 'object') return detail ? String(detail) : ''
  return Object.entries(detail as Record<string, unknown>)
    .filter(([, v]) => v !== null && typeof v !== 'object')
    .slice(0, 4).map(([k, v]) => `${label(k)}: ${String(v)}`).join(' · ')
}
