import { useState } from 'react'
import { Link, useParams } from 'react-router-dom'
import { abortOptimization, getOptimization, getOptimizationEvents, pauseOptimization, promoteOptimization, resumeOptimization } from '../api/endpoints.ts'
import { invalidate, useAction, useQuery } from '../api/query.ts'
import { useLiveStatus } from '../api/live.ts'
import type { ExecutionStep, Optimization } from '../api/types.ts'
import { CanaryCard } from '../components/canary-card.tsx'
import { Dialog } from '../components/dialog.tsx'
import { EngineArgsCard } from '../components/engine-args.tsx'
import { GateLooks } from '../components/gate-looks.tsx'
import { RetryControl } from '../components/retry-control.tsx'
import { ActionError, Async, Badge, Card, EmptyState, ErrorState, KeyValues, Loading, PageHeader, Stat, StatusBadge, toneOf } from '../components/ui.tsx'
import { clockSec, duration, isNum, label, ms, pct, shortId, usd, when } from '../lib/format.ts'
import { useFleetNow } from '../lib/fleet-clock.ts'
import { useScopedHref } from '../lib/scope.ts'
import { formatByKey, keyLabel, scalarRows } from '../lib/values.ts'

const ACTIVE = ['pending', 'running', 'paused']

type Obj = Record<string, unknown>
const asObj = (v: unknown): Obj | null => (v && typeof v === 'object' && !Array.isArray(v) ? v as Obj : null)

/** The canary weight the API reports: the latest step whose detail carries one. */
function canaryWeight(o: Optimization): unknown {
  const started = o.execution_steps.filter((s) => s.status !== 'pending' && s.status !== 'skipped')
  for (const s of [...started].reverse()) if (isNum(s.detail.canary_weight)) return s.detail.canary_weight
  return undefined
}

function weightText(w: unknown): string {
  if (!isNum(w)) return '—'
  return `${Math.round(w <= 1 && w > 0 ? w * 100 : w)}%`
}

/** One optimization: its steps advancing live, analysis verdicts, and the outcome. */
export default function OptimizationDetailPage() {
  const { id = '' } = useParams()
  const live = useLiveStatus()
  const [active, setActive] = useState(true)
  // Live hints drive refetches; while the socket is down an active rollout is polled instead.
  const q = useQuery(['optimization', id], () => getOptimization(id), { pollMs: active && live !== 'open' ? 2000 : undefined })
  const isActive = !!q.data && ACTIVE.includes(q.data.status)
  if (q.data && isActive !== active) setActive(isActive)
  const href = useScopedHref()
  const crumbs = <Link to={href('/app/history')}>← History</Link>
  if (!q.data && q.error) return <><PageHeader eyebrow={crumbs} title="Optimization" /><ErrorState error={q.error} retry={q.refetch} /></>
  if (!q.data) return <><PageHeader eyebrow={crumbs} title="Optimization" /><Loading lines={8} /></>
  const o = q.data
  const rolledBack = o.status === 'rolled_back'
  return (
    <div data-testid="optimization-detail" data-status={o.status}>
      <PageHeader eyebrow={crumbs} title={o.title || `${label(o.type)} ${shortId(o.id)}`}
        subtitle={<span className="row-gap"><StatusBadge status={o.status} testid="opt-status" />
          {o.deployment_id && <span className="mono small">{o.deployment_id}</span>}
          {o.recommendation_id && <Link to={href(`/app/recommendations/${o.recommendation_id}`)} className="small">View recommendation</Link>}</span>} />
      <Outcome o={o} />
      <div className="stats">
        <Stat testid="canary-weight" label="Canary traffic" value={rolledBack ? '0%' : weightText(canaryWeight(o))} hint={rolledBack ? 'all traffic back on the original configuration' : 'share of traffic on the new configuration'} />
        <Stat text testid="current-step" label={ACTIVE.includes(o.status) ? 'Current step' : 'Finished'} value={ACTIVE.includes(o.status) ? label(o.current_step ?? 'starting') : label(o.status)} hint={o.started_at ? `started ${when(o.started_at)}` : 'waiting for a worker'} />
        <Stat testid="predicted-savings" label="Predicted savings" value={usd(o.result?.predicted_savings)} hint="per month, by the agent" />
        <Stat testid="actual-savings" label="Actual savings" value={usd(o.result?.actual_savings)} hint={isNum(o.result?.actual_savings) ? `per month, from the provider's run-rate at completion${isNum(o.result?.prediction_error) ? ` · ${signed(o.result.prediction_error)} vs predicted` : ''}` : 'measured from the bill after completion'} tone={isNum(o.result?.actual_savings) && o.result.actual_savings > 0 ? 'success' : undefined} />
        {o.status === 'completed' && o.bill_settlement && <BillSavings s={o.bill_settlement} />}
        {o.result?.latency && <LatencyPrediction l={o.result.latency} q="p95" />}
        {isNum(o.result?.latency?.predicted_p99_ms) && <LatencyPrediction l={o.result.latency!} q="p99" />}
      </div>
      <CanaryCard o={o} />
      <EngineArgsCard o={o} />
      <Card title="Execution steps" subtitle="Each validation gates on SLO (p95/p99 latency, error rate) and answer quality, canary vs stable" testid="steps">
        {o.execution_steps.length === 0 ? <EmptyState title="Waiting to start">The workflow engine picks this optimization up within seconds.</EmptyState> : (
          <ol className="steps">{o.execution_steps.map((s, i) => <Step key={`${s.name}-${i}`} s={s} index={i} />)}</ol>
        )}
      </Card>
      <RolloutLog id={o.id} />
    </div>
  )
}

const signed = (x: number) => `${x > 0 ? '+' : ''}${pct(x)}`

/** The change settled against the imported FOCUS bill, or what import it is waiting for. */
function BillSavings({ s }: { s: NonNullable<Optimization['bill_settlement']> }) {
  if (s.status === 'not_applicable') return null
  if (s.status === 'awaiting_bill') {
    const covered = s.covered_until ? `imported bills reach ${when(s.covered_until)}` : 'no bill imported yet'
    return <Stat text testid="bill-savings" label="Savings on the bill" value="Awaiting the bill" hint={`settled once a FOCUS import covers ${when(s.needs_from)} – ${when(s.needs_until)} · ${covered}`} />
  }
  const hint = `per month, FOCUS import: $${s.before_hourly_usd.toFixed(2)}/h before → $${s.after_hourly_usd.toFixed(2)}/h after${isNum(s.prediction_error) ? ` · ${signed(s.prediction_error)} vs predicted` : ''}${s.unbilled.length ? ` · not on the bill: ${s.unbilled.join(', ')}` : ''}`
  return <Stat testid="bill-savings" label="Savings on the bill" value={usd(s.actual_savings)} hint={hint} tone={s.actual_savings > 0 ? 'success' : undefined} />
}

type Latency = NonNullable<Optimization['result']['latency']>

/** The agent's predicted p95 (or p99) after the change beside what telemetry measured once the canary took all traffic. */
function LatencyPrediction({ l, q }: { l: Latency; q: 'p95' | 'p99' }) {
  const [predicted, measured, error] = q === 'p95' ? [l.predicted_p95_ms, l.measured_p95_ms, l.prediction_error] : [l.predicted_p99_ms ?? null, l.measured_p99_ms ?? null, l.p99_prediction_error ?? null]
  const hint = measured === null
    ? `predicted ${ms(predicted)}; no telemetry yet since promotion`
    : `predicted ${ms(predicted)}${isNum(error) ? ` · ${signed(error)} vs predicted` : ''} · ${l.samples} samples since promotion`
  return <Stat testid={q === 'p95' ? 'latency-prediction' : 'latency-prediction-p99'} label={`${q} after the change`} value={ms(measured)} hint={hint} />
}

function Outcome({ o }: { o: Optimization }) {
  const reason = o.abort_reason ?? (typeof o.rollback?.reason === 'string' ? o.rollback.reason : null) ?? o.result.error
  if (o.status === 'paused') return <PausedBanner o={o} />
  if (o.status === 'running' || o.status === 'pending') return <PauseControl o={o} />
  if (o.status === 'rolled_back') {
    const rows = scalarRows(o.rollback, ['reason', 'terminated', 'original', 'traffic_restored_at', 'aborted_at'])
    return (
      <div className="banner banner-danger banner-column" data-testid="rollback-banner" role="status">
        <div><strong>Rolled back</strong> — traffic was returned to the original configuration.</div>
        <div data-testid="rollback-reason" className="banner-detail">{reason ?? 'No reason was recorded.'}</div>
        {rows.length > 0 && <KeyValues rows={rows} testid="rollback-detail" />}
        <RetryControl o={o} />
      </div>
    )
  }
  if (o.status === 'failed') {
    return (
      <div className="banner banner-danger banner-column" data-testid="failed-banner" role="status">
        <div><strong>Failed</strong><div className="banner-detail" data-testid="failure-reason">{reason ?? 'No error was recorded.'}</div></div>
        <RetryControl o={o} />
      </div>
    )
  }
  if (o.status === 'completed') {
    const extra = scalarRows(o.result, ['success', 'error', 'predicted_savings', 'actual_savings'])
    const regressed = o.result?.outcome === 'regressed'
    return (
      <div className={`banner ${regressed ? 'banner-danger' : 'banner-success'} banner-column`} data-testid="completed-banner" data-outcome={o.result?.outcome ?? ''} role="status">
        <div><strong>{regressed ? 'Completed, regressed' : 'Completed'}</strong>{regressed && <> — {o.result.error}</>} {o.completed_at && <span className="muted">· {when(o.completed_at)} · took {duration(o.started_at, o.completed_at)}</span>}</div>
        {extra.length > 0 && <KeyValues rows={extra} testid="result-detail" />}
      </div>
    )
  }
  return null
}

function PausedBanner({ o }: { o: Optimization }) {
  const [confirmAbort, setConfirmAbort] = useState(false)
  const resume = useAction(async () => { await resumeOptimization(o.id); invalidate(['optimization', 'optimizations', 'dashboard']) })
  const abort = useAction(async () => { await abortOptimization(o.id, 'aborted from the portal'); setConfirmAbort(false); invalidate(['optimization', 'optimizations', 'dashboard']) })
  return (
    <div className="banner banner-warning" data-testid="paused-banner" role="status">
      <div>
        <strong>Paused — your decision is needed.</strong>
        <div className="banner-detail" data-testid="pause-reason">{pauseText(o)}</div>
        <ActionError error={resume.error ?? abort.error} />
      </div>
      <div className="row-gap">
        <button type="button" className="btn btn-danger" onClick={() => setConfirmAbort(true)} data-testid="abort-button">Abort and roll back</button>
        <button type="button" className="btn btn-primary" onClick={() => void resume.run()} disabled={resume.pending} data-testid="resume-button">{resume.pending ? 'Resuming…' : 'Resume rollout'}</button>
      </div>
      <Dialog open={confirmAbort} onClose={() => setConfirmAbort(false)} title="Abort this rollout?" testid="abort-dialog" actions={<>
        <button type="button" className="btn" onClick={() => setConfirmAbort(false)}>Keep paused</button>
        <button type="button" className="btn btn-danger" onClick={() => void abort.run()} disabled={abort.pending} data-testid="confirm-abort">{abort.pending ? 'Aborting…' : 'Abort and roll back'}</button>
      </>}>
        <p>All traffic returns to the original configuration and the canary resources are removed.</p>
      </Dialog>
    </div>
  )
}

/** Argo's manual pause (the rollout holds its traffic weights before its next look) and promote (a baking canary skips the rest of its analysis). */
function PauseControl({ o }: { o: Optimization }) {
  const pause = useAction(async () => { await pauseOptimization(o.id, 'paused from the portal'); invalidate(['optimization', 'optimizations', 'dashboard']) })
  const promote = useAction(async () => { await promoteOptimization(o.id); invalidate(['optimization', 'optimizations', 'dashboard']) })
  const baking = o.current_step?.startsWith('validate') === true
  return (
    <div className="row-gap" data-testid="pause-control">
      <button type="button" className="btn" onClick={() => void pause.run()} disabled={pause.pending} data-testid="pause-button">{pause.pending ? 'Pausing…' : 'Pause rollout'}</button>
      {baking && <button type="button" className="btn" onClick={() => void promote.run()} disabled={promote.pending} data-testid="promote-button" title="Skip the rest of this analysis and go on to the next step; later analyses still judge the canary">{promote.pending ? 'Promoting…' : 'Promote past this analysis'}</button>}
      <span className="muted small">Pause holds traffic where it is until you resume or abort.</span>
      <ActionError error={pause.error ?? promote.error} />
    </div>
  )
}

/** Why a run is paused: a human's pause, else the validate step's own reason when it gave one. */
function pauseText(o: Optimization): string {
  if (o.pause_reason === 'manual_pause') return 'Paused by your team: traffic stays at the current weights until you resume or abort.'
  const step = o.execution_steps.find((s) => s.name === o.current_step)
  const own = step?.detail.pause_reason
  return typeof own === 'string' ? own : o.pause_reason ? label(o.pause_reason) : 'The analysis was inconclusive after extending the bake.'
}

const STEP_ICON: Record<string, string> = { completed: '✓', running: '●', failed: '✗', skipped: '–', pending: '' }
const SHOWN = ['canary_weight', 'verdict', 'slo', 'quality', 'analysis', 'pause_reason', 'pools', 'plan']

function Step({ s, index }: { s: ExecutionStep; index: number }) {
  const d = s.detail
  const verdict = typeof d.verdict === 'string' ? d.verdict : null
  const now = useFleetNow()
  const end = s.completed_at ?? (s.status === 'running' ? now?.toISOString() : undefined)
  const slo = asObj(d.slo)
  const quality = asObj(d.quality)
  const analysis = asObj(d.analysis)
  const rows = scalarRows(d, SHOWN)
  return (
    <li className={`step step-${toneOf(s.status)}`} data-testid="step-row" data-name={s.name} data-status={s.status}>
      <span className="step-marker" aria-hidden="true">{STEP_ICON[s.status] ?? index + 1}</span>
      <div className="step-body">
        <div className="step-head">
          <strong>{label(s.name)}</strong>
          <StatusBadge status={s.status} />
          {verdict && <Badge tone={toneOf(verdict)} testid="step-verdict">analysis: {label(verdict)}</Badge>}
          {isNum(d.canary_weight) && <Badge tone="accent">{weightText(d.canary_weight)} canary</Badge>}
          <span className="muted small step-time">{s.started_at ? `${clockSec(s.started_at)}${end ? ` · ${duration(s.started_at, end)}` : ''}` : 'not started'}</span>
        </div>
        {typeof d.plan === 'string' && <p className="small">{d.plan}</p>}
        {(slo || quality) && <Comparison slo={slo} quality={quality} />}
        {analysis && <AnalysisMetrics analysis={analysis} />}
        {analysis && <GateLooks looks={analysis.gate_looks} />}
        {rows.length > 0 && <div className="step-detail"><KeyValues rows={rows} /></div>}
      </div>
    </li>
  )
}

/** Stable vs canary over the last bake interval, with the limits they are judged against. */
function Comparison({ slo, quality }: { slo: Obj | null; quality: Obj | null }) {
  const stable = asObj(slo?.stable)
  const canary = asObj(slo?.canary)
  const limits = asObj(slo?.limits)
  const keys = [...new Set([...Object.keys(stable ?? {}), ...Object.keys(canary ?? {})])]
  const hasQuality = !!quality && (quality.stable_accuracy !== undefined || quality.canary_accuracy !== undefined)
  if (keys.length === 0 && !hasQuality) return null
  return (
    <div className="step-detail">
      <table className="table compact comparison" data-testid="stable-vs-canary">
        <thead><tr><th scope="col">Measured</th><th scope="col" className="num">Stable</th><th scope="col" className="num">Canary</th><th scope="col" className="num">Limit</th></tr></thead>
        <tbody>
          {keys.map((k) => (
            <tr key={k}><th scope="row">{keyLabel(k)}</th><td className="num">{formatByKey(k, stable?.[k])}</td><td className="num">{formatByKey(k, canary?.[k])}</td><td className="num muted">{limits?.[k] !== undefined ? formatByKey(k, limits[k]) : ''}</td></tr>
          ))}
          {hasQuality && (
            <tr data-testid="quality-row">
              <th scope="row">Answer accuracy{isNum(quality!.n) ? <span className="muted small"> · {quality!.n} paired prompts</span> : null}</th>
              <td className="num">{formatByKey('accuracy', quality!.stable_accuracy)}</td><td className="num">{formatByKey('accuracy', quality!.canary_accuracy)}</td>
              <td className="num muted">{isNum(limits?.max_quality_drop) ? `max drop ${pct(limits!.max_quality_drop)}` : ''}</td>
            </tr>
          )}
        </tbody>
      </table>
      {quality && (
        <p className="small quality-verdict">
          <Badge tone={toneOf(quality.verdict)}>quality: {label(quality.verdict)}</Badge>{' '}
          {typeof quality.reason === 'string' && <span className="muted">{quality.reason}</span>}
        </p>
      )}
    </div>
  )
}

/** Each analysed metric's phase and message (Argo-style measurements). */
function AnalysisMetrics({ analysis }: { analysis: Obj }) {
  const metrics = Array.isArray(analysis.metrics) ? analysis.metrics.map(asObj).filter((m): m is Obj => !!m) : []
  if (metrics.length === 0) return typeof analysis.message === 'string' && analysis.message ? <p className="small muted">{analysis.message}</p> : null
  return (
    <ul className="analysis-metrics" data-testid="analysis-metrics">
      {metrics.map((m, i) => (
        <li key={i}><Badge tone={toneOf(m.phase)}>{label(m.phase)}</Badge> <span className="small">{typeof m.message === 'string' ? m.message : label(m.metric)}</span></li>
      ))}
    </ul>
  )
}

function RolloutLog({ id }: { id: string }) {
  const q = useQuery(['optimization', id, 'events'], () => getOptimizationEvents(id))
  return (
    <Card title="Rollout log" subtitle="What the workflow did, step by step (newest first)" testid="rollout-log">
      <Async q={q} lines={3} empty={<EmptyState title="No events yet" />}>
        {(events) => (
          <ul className="list log" data-testid="rollout-events">
            {[...events].reverse().slice(0, 60).map((e) => (
              <li key={e.id} className="list-row">
                <span><Badge tone={toneOf(e.reason.replace(/^.*_/, ''))}>{label(e.reason)}</Badge> <span className="small">{e.message}</span></span>
                <span className="muted small nowrap">{clockSec(e.at)}</span>
              </li>
            ))}
          </ul>
        )}
      </Async>
    </Card>
  )
}
