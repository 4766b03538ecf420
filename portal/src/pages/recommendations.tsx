import { Link, useSearchParams } from 'react-router-dom'
import { analyze, listRecommendations } from '../api/endpoints.ts'
import { invalidate, useAction, useQuery } from '../api/query.ts'
import { AGENT_TYPES, RECOMMENDATION_STATUSES, RECOMMENDATION_TYPES, type Recommendation } from '../api/types.ts'
import { NoCustomer } from '../components/layout.tsx'
import { ActionError, Async, Badge, Card, EmptyState, PageHeader, RiskBadge, StatusBadge, scrollRegion } from '../components/ui.tsx'
import { label, pct, usd, when } from '../lib/format.ts'
import { useCustomerId, useScopedHref } from '../lib/scope.ts'

const SORTS = { value: 'Highest value', savings: 'Highest savings', newest: 'Newest first', risk: 'Lowest risk' } as const
const RISK_ORDER: Record<string, number> = { low: 0, medium: 1, high: 2 }

// Ordering only: the figures compared are the API's own.
function sortRecs(list: Recommendation[], sort: string): Recommendation[] {
  const out = [...list]
  if (sort === 'newest') out.sort((a, b) => (b.created_at ?? '').localeCompare(a.created_at ?? ''))
  else if (sort === 'risk') out.sort((a, b) => (RISK_ORDER[a.risk_level] ?? 3) - (RISK_ORDER[b.risk_level] ?? 3) || b.estimated_savings - a.estimated_savings)
  else if (sort === 'savings') out.sort((a, b) => b.estimated_savings - a.estimated_savings)
  else out.sort((a, b) => b.value.monthly_usd - a.value.monthly_usd || b.estimated_savings - a.estimated_savings)
  return out
}

/** What the value figure is: money saved, capacity freed (with its speed-up), or extra cost. */
export function valueNote(v: Recommendation['value']): string {
  const faster = v.p95_change !== null && v.p95_change < 0 ? ` · p95 ${pct(v.p95_change, 0)}` : ''
  if (v.kind === 'capacity') return `capacity ×${v.capacity_ratio?.toFixed(2) ?? '—'}${faster}`
  if (v.kind === 'cost') return `extra cost${v.capacity_ratio ? ` · capacity ×${v.capacity_ratio.toFixed(2)}` : ''}`
  return `savings${faster}`
}

/** Recommendations: filterable list of what the agents propose. */
export default function RecommendationsPage() {
  const customerId = useCustomerId()
  const [params, setParams] = useSearchParams()
  const status = params.get('status') ?? 'pending'
  const type = params.get('type') ?? ''
  const agent = params.get('agent_type') ?? ''
  const sort = params.get('sort') ?? 'value'
  const filters = { status: status === 'all' ? undefined : status, type: type || undefined, agent_type: agent || undefined }
  const q = useQuery(['recommendations', customerId, filters], () => listRecommendations(customerId!, filters), { enabled: !!customerId })
  const run = useAction(async () => {
    for (const a of AGENT_TYPES) await analyze(customerId!, a)
    invalidate(['recommendations', 'dashboard'])
  })
  if (!customerId) return <NoCustomer />
  const update = (k: string, v: string) => {
    const next = new URLSearchParams(params)
    if (v) next.set(k, v); else next.delete(k)
    setParams(next, { replace: true })
  }
  const filtered = status !== 'pending' || !!type || !!agent
  return (
    <div data-testid="recommendations-page">
      <PageHeader title="Recommendations" subtitle="Proposals from the four agents, each checked by the others before it is offered"
        actions={<button type="button" className="btn" onClick={() => void run.run()} disabled={run.pending} data-testid="run-analysis">{run.pending ? 'Analysing…' : 'Run analysis now'}</button>} />
      <ActionError error={run.error} />
      <div className="filters" role="search" aria-label="Filter recommendations">
        <Select id="f-status" name="Status" value={status} onChange={(v) => update('status', v)} options={[['all', 'All statuses'], ...RECOMMENDATION_STATUSES.map((s) => [s, label(s)] as [string, string])]} />
        <Select id="f-type" name="Type" value={type} onChange={(v) => update('type', v)} options={[['', 'All types'], ...RECOMMENDATION_TYPES.map((t) => [t, label(t)] as [string, string])]} />
        <Select id="f-agent" name="Agent" value={agent} onChange={(v) => update('agent_type', v)} options={[['', 'All agents'], ...AGENT_TYPES.map((a) => [a, label(a)] as [string, string])]} />
        <Select id="f-sort" name="Sort" value={sort} onChange={(v) => update('sort', v)} options={Object.entries(SORTS)} />
        {filtered && <button type="button" className="btn btn-ghost btn-sm" onClick={() => setParams(new URLSearchParams(params.get('customer') ? { customer: params.get('customer')! } : {}), { replace: true })}>Reset filters</button>}
      </div>
      <Card>
        <Async q={q} lines={6} empty={filtered
          ? <EmptyState title="No recommendations match these filters" action={<button type="button" className="btn" onClick={() => update('status', 'all')}>Show all statuses</button>} />
          : <EmptyState title="No open recommendations">Your fleet has nothing waiting for a decision. The agents re-analyse it continuously; you can also run an analysis now.</EmptyState>}>
          {(list) => <RecTable list={sortRecs(list, sort)} />}
        </Async>
      </Card>
    </div>
  )
}

function Select({ id, name, value, onChange, options }: { id: string; name: string; value: string; onChange: (v: string) => void; options: [string, string][] }) {
  return (
    <label className="inline-field" htmlFor={id}>
      <span className="muted small">{name}</span>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)} data-testid={id}>
        {options.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
      </select>
    </label>
  )
}

/** Approved / total validations, as chips. */
export function ValidationChips({ r }: { r: Recommendation }) {
  const ok = r.validations.filter((v) => v.approved).length
  const bad = r.validations.length - ok
  if (r.validations.length === 0) return <Badge tone="neutral">not validated</Badge>
  return (
    <span className="row-gap" title={r.validations.map((v) => `${label(v.agent_type)}: ${v.approved ? 'approved' : 'rejected'}`).join('\n')}>
      <Badge tone="success">✓ {ok}</Badge>{bad > 0 && <Badge tone="danger">✗ {bad}</Badge>}
    </span>
  )
}

function RecTable({ list }: { list: Recommendation[] }) {
  const href = useScopedHref()
  return (
    <div className="table-wrap" {...scrollRegion('Recommendations')}>
      <table className="table table-hover" data-testid="recommendations-table">
        <thead>
          <tr>
            <th scope="col" className="col-main">Recommendation</th><th scope="col" className="hide-md">Agent</th><th scope="col">Risk</th>
            <th scope="col" className="num">Value / month</th><th scope="col" className="num hide-md">Confidence</th>
            <th scope="col">Validations</th><th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {list.map((r) => (
            <tr key={r.id} data-testid="rec-row" data-type={r.type} data-status={r.status} data-id={r.id}>
              <th scope="row">
                <Link to={href(`/app/recommendations/${r.id}`)} className="row-link" data-testid="rec-link">{r.title ?? label(r.type)}</Link>
                <div className="muted small">{label(r.type)}<span className="show-md"> · {label(r.agent_type)} agent</span>{r.deployment_id ? ` · ${r.deployment_id}` : ''} · {when(r.created_at)}</div>
              </th>
              <td className="hide-md">{label(r.agent_type)}</td>
              <td><RiskBadge level={r.risk_level} /></td>
              <td className="num" data-testid="rec-value" data-kind={r.value.kind}><span className="strong">{usd(r.value.monthly_usd)}</span><div className="muted small">{valueNote(r.value)}</div></td>
              <td className="num hide-md">{pct(r.confidence, 0)}</td>
              <td><ValidationChips r={r} /></td>
              <td><StatusBadge status={r.status} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
