/**
 * The anytime-valid gates look by look (issue 12): at each bake interval the gate's estimate, its
 * confidence sequence, the tolerated value it is judged against and its verdict, as the step
 * recorded them (`analysis.gate_looks`). The sequence stays valid however often it is read, which
 * is why every look is shown, not only the last. Recorded beside the decision, not deciding yet.
 */
import { label, pct } from '../lib/format.ts'
import { Badge, scrollRegion, toneOf } from './ui.tsx'

type Obj = Record<string, unknown>
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)
const share = (v: unknown) => { const x = num(v); return x === null ? '—' : pct(x) }

export function GateLooks({ looks }: { looks: unknown }) {
  const rows = Array.isArray(looks) ? looks.filter((l): l is Obj => !!l && typeof l === 'object') : []
  if (rows.length === 0) return null
  const last = rows[rows.length - 1]!
  return (
    <details className="details" data-testid="gate-looks">
      <summary>
        {label(last.gate)} gate, look by look <span className="muted small">({rows.length} look{rows.length === 1 ? '' : 's'}; {String(last.method)}, α {share(last.alpha)}; recorded beside the decision)</span>
      </summary>
      <div className="table-wrap" {...scrollRegion('Gate looks')}>
        <table className="table compact">
          <thead>
            <tr><th scope="col" className="num">Interval</th><th scope="col" className="num">n</th><th scope="col" className="num">Estimate</th><th scope="col">Confidence sequence</th><th scope="col" className="num">Tolerated</th><th scope="col">Verdict</th></tr>
          </thead>
          <tbody>
            {rows.map((l, i) => (
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
    </details>
  )
}
