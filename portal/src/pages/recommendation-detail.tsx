import { useState, type ReactNode } from 'react'
import { Link, useNavigate, useParams } from 'react-router-dom'
import { approveRecommendation, getRecommendation, getSimilarOutcomes, rejectRecommendation } from '../api/endpoints.ts'
import { CanaryPlanSummary } from '../components/gate-policies.tsx'
import { invalidate, useAction, useQuery } from '../api/query.ts'
import type { PredictedEffect, Recommendation, SimilarOutcome } from '../api/types.ts'
import { Dialog } from '../components/dialog.tsx'
import { ActionError, Async, Badge, Card, EmptyState, ErrorState, KeyValues, Loading, PageHeader, RiskBadge, Stat, StatusBadge, scrollRegion } from '../components/ui.tsx'
import { clock, isNum, label, ms, pct, pp, times, usd, when } from '../lib/format.ts'
import { useScopedHref } from '../lib/scope.ts'
import { formatByKey, isObjectList, keyLabel, objectFields, scalarRows } from '../lib/values.ts'
import { ValidationChips, valueNote } from './recommendations.tsx'

/** One recommendation: the case for it, the other agents' verdicts, and the decision. */
export default function RecommendationDetailPage() {
  const { id = '' } = useParams()
  const q = useQuery(['recommendation', id], () => getRecommendation(id))
  const href = useScopedHref()
  const crumbs = <Link to={href('/app/recommendations')}>← Recommendations</Link>
  if (!q.data && q.error) return <><PageHeader eyebrow={crumbs} title="Recommendation" /><ErrorState error={q.error} retry={q.refetch} /></>
  if (!q.data) return <><PageHeader eyebrow={crumbs} title="Recommendation" /><Loading lines={8} /></>
  const r = q.data
  return <RecommendationView r={r} crumbs={crumbs} />
}

/**
 * The one confidence and risk the page shows: the agent's, adjusted by similar past outcomes once
 * there are any (GET /recommendations/{id}/similar-outcomes); the Similar outcomes card explains how.
 */
function useJudgement(r: Recommendation) {
  const s = useQuery(['similar', r.id], () => getSimilarOutcomes(r.id))
  const a = s.data && s.data.outcomes.length > 0 ? s.data.adjusted : null
  return { confidence: a?.confidence ?? r.confidence, risk: a?.risk_level ?? r.risk_level, adjusted: a !== null }
}

function RecommendationView({ r, crumbs }: { r: Recommendation; crumbs: ReactNode }) {
  const judged = useJudgement(r)
  const predicted = r.predicted as PredictedEffect
  const plan = r.plan as { summary?: string; deploymentId?: string }
  return (
    <div data-testid="recommendation-detail" data-status={r.status} data-type={r.type}>
      <PageHeader eyebrow={crumbs} title={r.title ?? label(r.type)} subtitle={<span className="row-gap">
        <Badge>{label(r.type)}</Badge><StatusBadge status={r.status} testid="rec-status" /><RiskBadge level={judged.risk} />
        <span className="muted small">by the {label(r.agent_type).toLowerCase()} agent · {when(r.created_at)}</span>
      </span>} actions={<Decision r={r} />} />
      {r.status === 'rejected' && r.reject_reason && <div className="banner banner-neutral" data-testid="reject-reason-banner"><strong>Rejected:</strong>&nbsp;{r.reject_reason}</div>}
      {r.status === 'superseded' && <div className="banner banner-neutral" data-testid="superseded-banner"><strong>Superseded:</strong>&nbsp;{r.reject_reason ?? 'a newer analysis or an approved alternative replaced it'}</div>}
      <div className="stats">
        {r.value.kind === 'capacity'
          ? <Stat testid="rec-value" label="Capacity freed" value={usd(r.value.monthly_usd)} hint={`per month, what the freed capacity would cost (${valueNote(r.value)}); saves ${usd(r.estimated_savings)} now`} tone="accent" />
          : <Stat testid="rec-savings" label="Estimated savings" value={usd(r.estimated_savings)} hint="per month" tone="accent" />}
        <Stat testid="rec-confidence" label="Confidence" value={pct(judged.confidence, 0)} hint={judged.adjusted ? `the agent's ${pct(r.confidence, 0)}, adjusted by similar past outcomes (below)` : 'the agent\'s estimate; no similar past outcomes yet'} />
        <Stat label="Monthly cost" value={isNum(predicted.monthlyCostUsdAfter) ? usd(predicted.monthlyCostUsdAfter) : '—'} hint={isNum(predicted.monthlyCostUsdBefore) ? `from ${usd(predicted.monthlyCostUsdBefore)}` : 'predicted after the change'} />
        <Stat label="p95 latency" value={ms(predicted.p95LatencyMsAfter)} hint={isNum(predicted.p95LatencyMsBefore) ? `from ${ms(predicted.p95LatencyMsBefore)}` : 'predicted after the change'} />
      </div>
      <div className="grid-2">
        <Card title="What changes" testid="rec-plan">
          <p>{plan.summary ?? 'No plan summary.'}</p>
          <KeyValues rows={[
            ['Deployment', <span className="mono">{r.deployment_id ?? plan.deploymentId ?? '—'}</span>],
            ['Computed on', <span data-testid="rec-generation">{r.base_generation === null ? 'generation unknown' : `generation ${r.base_generation}`}</span>],
            ['Changes', r.touches.length ? <span className="mono">{r.touches.join(', ')}</span> : '—'],
            ['Rollout', 'Canary at 10% → 50% → 100% of traffic, SLO and quality checked at each step'],
            ['If a check fails', 'Traffic returns to the current configuration automatically'],
          ]} />
        </Card>
        <Card title="Predicted effect" testid="rec-predicted"><Predicted r={r} /></Card>
      </div>
      <div className="grid-2">
        <Card title="Risk" subtitle={`${label(judged.risk)} risk${judged.risk !== r.risk_level ? ` (the agent said ${label(r.risk_level).toLowerCase()}; raised by similar past outcomes)` : ''}`} testid="risk-reasons">
          {r.risk_reasons?.length ? <ul className="bullets">{r.risk_reasons.map((x, i) => <li key={i}>{x}</li>)}</ul> : <p className="muted">The agent gave no specific risk factors.</p>}
        </Card>
        <Card title="Validations" subtitle="Every other relevant agent checks a recommendation before it is offered" actions={<ValidationChips r={r} />} testid="validations">
          <Validations r={r} />
        </Card>
      </div>
      <Card title="Evidence" subtitle="The data the agent based this on" testid="evidence"><Evidence evidence={r.evidence} /></Card>
      <SimilarOutcomes id={r.id} agent={r} />
    </div>
  )
}

function Predicted({ r }: { r: Recommendation }) {
  const p = r.predicted as PredictedEffect
  const rows: [string, string, string][] = []
  if (isNum(p.monthlyCostUsdBefore) || isNum(p.monthlyCostUsdAfter)) rows.push(['Monthly cost', usd(p.monthlyCostUsdBefore), usd(p.monthlyCostUsdAfter)])
  if (isNum(p.p95LatencyMsBefore) || isNum(p.p95LatencyMsAfter)) rows.push(['p95 latency', ms(p.p95LatencyMsBefore), ms(p.p95LatencyMsAfter)])
  if (isNum(p.p99LatencyMsBefore) || isNum(p.p99LatencyMsAfter)) rows.push(['p99 latency', ms(p.p99LatencyMsBefore), ms(p.p99LatencyMsAfter)])
  const extra: [string, string][] = []
  if (isNum(p.throughputCapacityRatio)) extra.push(['Throughput capacity', times(p.throughputCapacityRatio)])
  if (isNum(p.qualityDelta)) extra.push(['Quality change', pp(p.qualityDelta)])
  if (rows.length === 0 && extra.length === 0) return <p className="muted">No predicted effect was given.</p>
  return (
    <>
      {rows.length > 0 && (
        <table className="table compact">
          <thead><tr><th scope="col" /><th scope="col" className="num">Now</th><th scope="col" className="num">After</th></tr></thead>
          <tbody>{rows.map(([n, a, b]) => <tr key={n}><th scope="row">{n}</th><td className="num">{a}</td><td className="num strong">{b}</td></tr>)}</tbody>
        </table>
      )}
      {extra.length > 0 && <KeyValues rows={extra} />}
    </>
  )
}

function Validations({ r }: { r: Recommendation }) {
  if (r.validations.length === 0) return <EmptyState title="Not validated yet">The other agents have not checked this recommendation yet.</EmptyState>
  return (
    <ul className="list">
      {r.validations.map((v) => (
        <li key={v.agent_type} className="validation" data-testid="validation-row" data-agent={v.agent_type} data-approved={String(v.approved)}>
          <div className="row-gap">
            <Badge tone={v.approved ? 'success' : 'danger'}>{v.approved ? '✓ Approved' : '✗ Rejected'}</Badge>
            <strong>{label(v.agent_type)} agent</strong>
            {v.baseline_established && <Badge tone="info">baseline established</Badge>}
          </div>
          {v.reason && <p className="muted small">{v.reason}</p>}
        </li>
      ))}
    </ul>
  )
}

/** Open-ended evidence: scalars as rows, nested objects and lists of objects as collapsible sections. */
export function Evidence({ evidence }: { evidence?: Record<string, unknown> }) {
  const rows = scalarRows(evidence)
  const nested = objectFields(evidence)
  const lists = Object.entries(evidence ?? {}).filter((e): e is [string, Record<string, unknown>[]] => isObjectList(e[1]))
  if (rows.length === 0 && nested.length === 0 && lists.length === 0) return <p className="muted">No evidence recorded.</p>
  return (
    <>
      <DataUsed d={evidence?.data_used} />
      {rows.length > 0 && <KeyValues rows={rows} />}
      {lists.map(([k, items]) => (
        <details key={k} className="details" open={items.length <= 3}>
          <summary>{keyLabel(k)} <span className="muted small">({items.length})</span></summary>
          <ObjectTable items={items} />
        </details>
      ))}
      {nested.map(([k, v]) => (
        <details key={k} className="details">
          <summary>{keyLabel(k)}</summary>
          {scalarRows(v).length > 0 ? <KeyValues rows={scalarRows(v)} /> : null}
          {objectFields(v).length > 0 && <pre className="json">{JSON.stringify(Object.fromEntries(objectFields(v)), null, 2)}</pre>}
        </details>
      ))}
    </>
  )
}

/** One line naming the data a recommendation rests on: a telemetry window and its source, or the model prior. */
function DataUsed({ d }: { d: unknown }) {
  if (!d || typeof d !== 'object') return null
  const u = d as Record<string, unknown>
  const text = u.basis === 'telemetry'
    ? `telemetry ${String(u.via)}, ${when(u.window_from)} – ${clock(u.window_to)} fleet time (${String(u.samples)} samples); prices as of ${when(u.prices_at)}`
    : `the serving model's prior (${String(u.detail)}); prices as of ${when(u.prices_at)}`
  return (
    <>
      <p className="small" data-testid="data-used" data-basis={String(u.basis)}><strong>Based on</strong> {text}</p>
      <LearnedWorkload w={u.workload} />
    </>
  )
}

const fixed1 = (v: unknown) => (isNum(v) ? v.toFixed(1) : '—')
const tokens = (v: unknown) => (isNum(v) ? String(Math.round(v)) : '—')

/** What the agents learned of the deployment from its telemetry, beside what it was registered with. */
function LearnedWorkload({ w }: { w: unknown }) {
  if (!w || typeof w !== 'object') return null
  const u = w as Record<string, unknown>
  const r = (u.registered ?? {}) as Record<string, unknown>
  const source = (k: string) => (u[k] === 'telemetry' ? 'learned' : 'registered')
  return (
    <p className="small" data-testid="learned-workload" data-efficiency={String(u.gpu_efficiency)}>
      <strong>Workload</strong> {fixed1(u.rps_now)} req/s ({source('rate')}; registered {fixed1(r.rps_now)}),
      {' '}prompts {tokens(u.prompt_tokens_mean)} and answers {tokens(u.output_tokens_mean)} tokens ({source('request_shape')};
      {' '}registered {tokens(r.prompt_tokens_mean)}/{tokens(r.output_tokens_mean)}), GPUs at {pct(u.gpu_efficiency, 0)} of their spec sheet
      {' '}({u.efficiency === 'telemetry' ? 'fitted to the measured p95' : 'spec sheet'}); the day swings ±{pct(u.daily_amplitude, 0)} around
      {' '}its mean, peaking at {fixed1(u.peak_hour_utc)} h UTC ({source('daily_shape')}); {pct(u.prefix_share, 0)} of prompt tokens
      {' '}are a shared prefix ({source('prefix_share')})
    </p>
  )
}

/** A list of objects as a table of their scalar fields. */
function ObjectTable({ items }: { items: Record<string, unknown>[] }) {
  const keys = [...new Set(items.flatMap((i) => Object.keys(i).filter((k) => i[k] === null || typeof i[k] !== 'object')))]
  return (
    <div className="table-wrap" {...scrollRegion('Predicted effects')}>
      <table className="table compact">
        <thead><tr>{keys.map((k) => <th key={k} scope="col">{keyLabel(k)}</th>)}</tr></thead>
        <tbody>{items.map((i, n) => <tr key={n}>{keys.map((k) => <td key={k}>{formatByKey(k, i[k])}</td>)}</tr>)}</tbody>
      </table>
    </div>
  )
}

function SimilarOutcomes({ id, agent }: { id: string; agent: Pick<Recommendation, 'confidence' | 'risk_level'> }) {
  const q = useQuery(['similar', id], () => getSimilarOutcomes(id))
  return (
    <Card title="Similar past outcomes" subtitle="What happened when comparable changes ran before, and how that adjusts this recommendation" testid="similar-outcomes">
      <Async q={q} lines={3}>
        {(s) => (
          <>
            {s.adjusted && s.outcomes.length > 0 && (
              <div className="row-gap adjusted" data-testid="similar-adjusted">
                <span className="small">Confidence {pct(agent.confidence, 0)} from the agent → <strong>{pct(s.adjusted.confidence, 0)}</strong> shown above; risk {label(agent.risk_level).toLowerCase()} → <strong>{label(s.adjusted.risk_level).toLowerCase()}</strong></span>
                {isNum(s.adjusted.success_rate) && <Badge tone={s.adjusted.success_rate >= 0.8 ? 'success' : 'warning'}>{pct(s.adjusted.success_rate, 0)} succeeded</Badge>}
                {isNum(s.adjusted.mean_accuracy) && <Badge>savings prediction accuracy {pct(s.adjusted.mean_accuracy, 0)}</Badge>}
              </div>
            )}
            {s.outcomes.length > 0 && s.adjusted?.reasons.length ? <ul className="bullets small">{s.adjusted.reasons.map((r, i) => <li key={i}>{r}</li>)}</ul> : null}
            {s.outcomes.length === 0 ? <EmptyState title="No similar changes yet">Once comparable optimizations finish, their measured results are shown here.</EmptyState> : (
              <div className="table-wrap" {...scrollRegion('Similar past changes')}>
                <table className="table compact">
                  <thead><tr><th scope="col">Outcome</th><th scope="col">Type</th><th scope="col" className="num">Similarity</th><th scope="col" className="num">Predicted</th><th scope="col" className="num">Actual</th><th scope="col" className="num">Quality</th><th scope="col">Note</th></tr></thead>
                  <tbody>{s.outcomes.map((o, i) => <OutcomeRow key={o.optimization_id ?? i} o={o} />)}</tbody>
                </table>
              </div>
            )}
          </>
        )}
      </Async>
    </Card>
  )
}

function OutcomeRow({ o }: { o: SimilarOutcome }) {
  const href = useScopedHref()
  return (
    <tr data-testid="similar-outcome">
      <td>{o.optimization_id ? <Link to={href(`/app/optimizations/${o.optimization_id}`)}><StatusBadge status={o.status} /></Link> : <StatusBadge status={o.status} />}</td>
      <td>{label(o.recommendation_type)}{o.same_customer ? <span className="muted small"> · yours</span> : null}</td>
      <td className="num">{pct(o.similarity, 0)}</td>
      <td className="num">{usd(o.predicted_savings)}</td>
      <td className="num">{usd(o.actual_savings)}</td>
      <td className="num">{isNum(o.quality_delta) ? pp(o.quality_delta) : '—'}</td>
      <td className="small">{o.rollback_reason ?? '—'}</td>
    </tr>
  )
}

function Decision({ r }: { r: Recommendation }) {
  const judged = useJudgement(r)
  const href = useScopedHref()
  const navigate = useNavigate()
  const [dialog, setDialog] = useState<'approve' | 'reject' | null>(null)
  const [reason, setReason] = useState('')
  const approve = useAction(async () => {
    // a refusal (superseded, re-validated figures, a constraint) changes what the page shows: refresh it either way
    const reply = await approveRecommendation(r.id).finally(() => invalidate(['recommendation', 'recommendations', 'dashboard']))
    invalidate(['recommendation', 'recommendations', 'dashboard', 'optimizations'])
    setDialog(null)
    navigate(href(`/app/optimizations/${reply.optimization_id}`))
  })
  const reject = useAction(async () => {
    await rejectRecommendation(r.id, reason.trim())
    invalidate(['recommendation', 'recommendations', 'dashboard'])
    setDialog(null)
  })
  if (r.optimization_id) return <Link className="btn btn-primary" to={href(`/app/optimizations/${r.optimization_id}`)} data-testid="view-optimization">View rollout</Link>
  if (r.status !== 'pending') return null
  const dissent = r.validations.filter((v) => !v.approved)
  return (
    <div className="row-gap">
      <button type="button" className="btn" onClick={() => { reject.reset(); setDialog('reject') }} data-testid="reject-button">Reject</button>
      <button type="button" className="btn btn-primary" onClick={() => { approve.reset(); setDialog('approve') }} data-testid="approve-button">Approve…</button>
      <Dialog open={dialog === 'approve'} onClose={() => setDialog(null)} title="Approve and start the rollout?" testid="approve-dialog" actions={<>
        <button type="button" className="btn" onClick={() => setDialog(null)}>Cancel</button>
        <button type="button" className="btn btn-primary" onClick={() => void approve.run()} disabled={approve.pending} data-testid="confirm-approve">{approve.pending ? 'Starting…' : 'Approve and start'}</button>
      </>}>
        <p>{(r.plan as { summary?: string }).summary ?? r.title}</p>
        <KeyValues rows={[['Estimated savings', `${usd(r.estimated_savings)} / month`], ['Risk', label(judged.risk)], ['Confidence', pct(judged.confidence, 0)], ['Deployment', r.deployment_id ?? '—']]} />
        <p className="muted small">The change rolls out as a canary (10% → 50% → 100% of traffic). Each step is checked against your SLO and answer quality; a failed check rolls it back to the current configuration automatically.</p>
        {r.deployment_id && dialog === 'approve' && <CanaryPlanSummary customerId={r.customer_id} deploymentId={r.deployment_id} />}
        {dissent.length > 0 && <p className="action-error">Not every agent approved: {dissent.map((v) => label(v.agent_type)).join(', ')}.</p>}
        <ActionError error={approve.error} />
      </Dialog>
      <Dialog open={dialog === 'reject'} onClose={() => setDialog(null)} title="Reject this recommendation?" testid="reject-dialog" actions={<>
        <button type="button" className="btn" onClick={() => setDialog(null)}>Cancel</button>
        <button type="button" className="btn btn-danger" onClick={() => void reject.run()} disabled={reject.pending || reason.trim().length === 0} data-testid="confirm-reject">{reject.pending ? 'Rejecting…' : 'Reject'}</button>
      </>}>
        <label className="field">
          <span>Reason <span className="muted small">(kept in the audit trail and used by the agents)</span></span>
          <textarea rows={3} value={reason} onChange={(e) => setReason(e.target.value)} data-testid="reject-reason" required maxLength={1000} />
        </label>
        <ActionError error={reject.error} />
      </Dialog>
    </div>
  )
}

