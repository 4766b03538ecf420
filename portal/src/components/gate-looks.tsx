/**
 * The anytime-valid gates look by look (issue 12): for each gate (quality, error rate, p95 latency)
 * and each bake interval the estimate, its confidence sequence, the tolerated value it is judged
 * against and its verdict, as the step recorded them (`analysis.gate_looks`). The sequences stay
 * valid however often they are read, which is why every look is shown, not only the last.
 * A gate marked `decides` rolls the canary back when it fails; the others are recorded beside the decision.
 */
import { label, pct } from '../lib/format.ts'
import { Badge, scrollRegion, toneOf } from './ui.tsx'

type Obj = Record<string, unknown>
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)
const share = (v: unknown) => { const x = num(v); return x === null ? '—' : pct(x) }

export function GateLooks({ looks }: { looks: unknown }) {
  const rows = Array.isArray(looks) ? looks.filter((l): l is Obj => !!l && typeof l === 'object') : []
  const byGate = new Map<string, Obj[]>()
  for (const l of rows) {
    const gate = String(l.gate)
    byGate.set(gate, byGate.get(gate) ?? [])
    byGate.get(gate)!.push(l)
  }
  return <>{[...byGate].map(([gate, ls]) => <GateTable key={gate} gate={gate} looks={ls} />)}</>
}

function GateTable({ gate, looks }: { gate: string; looks: Obj[] }) {
  const last = looks[looks.length - 1]!
  return (
    <details className="details" data-testid="gate-looks" data-gate={gate} data-decides={String(last.decides === true)}>
      <summary>
        {label(gate)} gate, look by look <span className="muted small">({looks.length} look{looks.length === 1 ? '' : 's'}; {String(last.method)}, α {share(last.alpha)}{num(last.needs) === null ? '' : `; ≥ 80% power needs ~${String(last.needs)} samples`}; {last.decides === true ? 'its failure rolls the canary back' : 'recorded beside the decision'})</span>
        {typeof last.source === 'string' && <> <Badge tone={last.source === 'declared' ? 'success' : 'neutral'} testid="gate-looks-source">{last.source === 'declared' ? 'declared record' : 'default record'}</Badge></>}
      </summary>
      <div className="table-wrap" {...scrollRegion(`${label(gate)} gate looks`)}>
        <table className="table compact">
          <thead>
            <tr><th scope="col" className="num">Interval</th><th scope="col" className="num">n</th><th scope="col" className="num">Estimate</th><th scope="col">Confidence sequence</th><th scope="col" className="num">Tolerated</th><th scope="col">Verdict</th></tr>
          </thead>
          <tbody>
            {looks.map((l, i) => (
              <tr key={i} data-testid="gate-look" data-verdict={String(l.verdict)}>
                <td className="num">{String(l.interval ?? i + 1)}</td>
                <td className="num">{String(l.n ?? '—')}</td>
                <td className="num">{share(l.estimate)}</td>
                <td data-testid="gate-look-cs">{num(l.lower) === null ? '—' : `[${share(l.lower)}, ${share(l.upper)}]`}</td>
                <td className="num" data-testid="gate-look-threshold">{share(l.threshold)}</td>
                <td><Badge tone={toneOf(l.verdict)}>{label(l.verdict)}</Badge></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {typeof last.reason === 'string' && <p className="muted small" data-testid="gate-reason">Latest: {last.reason}</p>}
    </details>
  )
}
