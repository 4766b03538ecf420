/**
 * A deployment's canary gates (issue 12): each gate's record (metric, comparison, tolerated
 * regression, α, minimum and maximum samples; declared or the default from the SLO), the record a
 * canary starting now is judged by, and what that canary needs: ~N samples for 80% power and ~T
 * minutes at the current traffic. Each gate can be declared or returned to its default.
 */
import { useState, type FormEvent } from 'react'
import { getGates, putGate, resetGate } from '../api/endpoints.ts'
import { invalidate, useAction, useQuery } from '../api/query.ts'
import type { DeploymentGates, GatePolicy } from '../api/types.ts'
import { label, number, pct } from '../lib/format.ts'
import { Async, Badge, ErrorState } from './ui.tsx'

/** Tolerances shown in percent; the error-rate budget needs two decimals (0.10%). */
const tolerance = (g: Pick<GatePolicy, 'gate' | 'tolerance'>) => pct(g.tolerance, g.gate === 'error_rate' ? 2 : 1)

/** The gates of one deployment with their plan. */
export function DeploymentGatesPanel({ customerId, deploymentId }: { customerId: string; deploymentId: string }) {
  const q = useQuery(['gates', customerId, deploymentId], () => getGates(customerId, deploymentId), { minIntervalMs: 3000 })
  return <Async q={q}>{(g) => <GatesTable customerId={customerId} view={g} />}</Async>
}

function GatesTable({ customerId, view }: { customerId: string; view: DeploymentGates }) {
  const [editing, setEditing] = useState<string | null>(null)
  const plan = new Map(view.plan.lines.map((l) => [l.gate, l]))
  return (
    <div data-testid="gate-policies" data-deployment={view.deployment_id}>
      <ul className="list" aria-label={`Canary gates of ${view.deployment_id}`}>
        {view.gates.map((g) => editing === g.gate
          ? <li key={g.gate}><GateEditor customerId={customerId} deploymentId={view.deployment_id} gate={g} done={() => setEditing(null)} /></li>
          : <GateRow key={g.gate} customerId={customerId} deploymentId={view.deployment_id} gate={g} plan={plan.get(g.gate)} edit={() => setEditing(g.gate)} />)}
      </ul>
      <p className="muted small">
        The canary carries {pct(view.plan.canary_weight, 0)} of {view.plan.rps === null ? 'a traffic not measured yet' : `${number(Math.round(view.plan.rps * 10) / 10)} req/s`}, is measured every {view.plan.interval_s} s and asks {view.plan.prompts_per_interval} evaluation prompts per interval; sample sizes are for ≥ 80% power at each gate&apos;s tolerance.
      </p>
    </div>
  )
}

type PlanLine = DeploymentGates['plan']['lines'][number]

function GateRow({ customerId, deploymentId, gate: g, plan, edit }: { customerId: string; deploymentId: string; gate: GatePolicy; plan: PlanLine | undefined; edit: () => void }) {
  const reset = useAction(async () => { await resetGate(customerId, deploymentId, g.gate); invalidate(['gates']) })
  return (
    <li className="gate-policy" data-testid="gate-policy" data-gate={g.gate} data-source={g.source}>
      <div className="list-row">
        <strong>{label(g.gate)} gate</strong>
        <span className="row-gap">
          <Badge tone={g.source === 'declared' ? 'success' : 'neutral'}>{g.source === 'declared' ? 'declared' : 'default'}</Badge>
          <button type="button" className="btn btn-ghost btn-sm" onClick={edit} data-testid="gate-edit">Edit</button>
          {g.source === 'declared' && <button type="button" className="btn btn-ghost btn-sm" onClick={() => void reset.run()} disabled={reset.pending} data-testid="gate-reset">Reset</button>}
        </span>
      </div>
      <div className="small">{g.metric}: {g.comparison}</div>
      <div className="small">
        Tolerated <span data-testid="gate-policy-tolerance">{tolerance(g)}</span> · α {g.alpha} · {number(g.min_samples)}–{number(g.max_samples)} {g.unit}
      </div>
      <div className="small" data-testid="gate-plan" data-feasible={String(plan?.feasible ?? false)}>
        {plan ? <>A canary now needs ~{number(plan.needs)} {plan.unit}{plan.minutes === null ? '' : `, ~${number(plan.minutes)} min`}{plan.feasible ? '' : <> <Badge tone="warning">not within one step</Badge></>} <span className="muted">({plan.note})</span></> : '—'}
      </div>
      {reset.error ? <ErrorState error={reset.error} /> : null}
    </li>
  )
}

function GateEditor({ customerId, deploymentId, gate: g, done }: { customerId: string; deploymentId: string; gate: GatePolicy; done: () => void }) {
  const [f, setF] = useState({ tol: String(Math.round(g.tolerance * 1e6) / 1e4), alpha: String(g.alpha), min: String(g.min_samples), max: String(g.max_samples) })
  const save = useAction(async () => {
    await putGate(customerId, deploymentId, g.gate, { tolerance: Number(f.tol) / 100, alpha: Number(f.alpha), min_samples: Number(f.min), max_samples: Number(f.max) })
    invalidate(['gates'])
    done()
  })
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value })
  const submit = (e: FormEvent) => { e.preventDefault(); void save.run() }
  return (
    <form onSubmit={submit} className="row-gap" data-testid="gate-editor" data-gate={g.gate}>
      <strong>{label(g.gate)}</strong>
      <label className="field"><span>Tolerated (%)</span><input type="number" step="any" min={0} value={f.tol} onChange={set('tol')} data-testid="gate-tolerance" /></label>
      <label className="field"><span>α</span><input type="number" step="any" min={0} max={0.5} value={f.alpha} onChange={set('alpha')} data-testid="gate-alpha" /></label>
      <label className="field"><span>Min {g.unit}</span><input type="number" min={1} value={f.min} onChange={set('min')} /></label>
      <label className="field"><span>Max {g.unit}</span><input type="number" min={1} value={f.max} onChange={set('max')} data-testid="gate-max" /></label>
      <button className="btn btn-primary btn-sm" disabled={save.pending} data-testid="gate-save">Save</button>
      <button type="button" className="btn btn-ghost btn-sm" onClick={done}>Cancel</button>
      {save.error ? <ErrorState error={save.error} /> : null}
    </form>
  )
}

/** Before approving: what the canary's gates need and how long that takes at the current traffic. */
export function CanaryPlanSummary({ customerId, deploymentId }: { customerId: string; deploymentId: string }) {
  const q = useQuery(['gates', customerId, deploymentId], () => getGates(customerId, deploymentId), { minIntervalMs: 3000 })
  return (
    <Async q={q} lines={1}>
      {(g) => (
        <ul className="muted small" data-testid="canary-plan">
          {g.plan.lines.map((l) => (
            <li key={l.gate} data-gate={l.gate} data-feasible={String(l.feasible)}>
              {label(l.gate)} gate ({tolerance(g.gates.find((x) => x.gate === l.gate) ?? { gate: l.gate, tolerance: 0 })} tolerated): this canary needs ~{number(l.needs)} {l.unit}{l.minutes === null ? '' : `; at the current traffic that is ~${number(l.minutes)} min`}{l.feasible ? '' : ' — more than one step supplies, so it stays inconclusive'}
            </li>
          ))}
        </ul>
      )}
    </Async>
  )
}
