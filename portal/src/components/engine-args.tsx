import type { Optimization } from '../api/types.ts'
import { Card, EmptyState, scrollRegion } from './ui.tsx'

/**
 * The vLLM arguments a change sets differently from the configuration it was approved on, as a
 * reviewer reads a manifest diff; the full argument list of the new group below it.
 */
export function EngineArgsCard({ o }: { o: Optimization }) {
  const args = o.engine_args
  if (!args) return null
  const changed = args.changed ?? []
  return (
    <Card title="vLLM arguments" subtitle="What the new serving group runs with, against the stable configuration at approval" testid="engine-args">
      {args.changed === null ? <p className="muted small">The configuration at approval was not recorded for this change.</p>
        : changed.length === 0 ? <EmptyState title="No engine-argument change">This change moves capacity only; the vLLM arguments stay as they are.</EmptyState> : (
          <div className="table-wrap" {...scrollRegion('Changed vLLM arguments')}>
            <table className="table compact" data-testid="engine-args-diff">
              <thead><tr><th scope="col">Flag</th><th scope="col">Before</th><th scope="col">After</th></tr></thead>
              <tbody>{changed.map((c) => (
                <tr key={c.flag} data-flag={c.flag}>
                  <th scope="row" className="mono">{c.flag}</th>
                  <td className="mono">{c.before ?? '(absent)'}</td>
                  <td className="mono">{c.after ?? '(absent)'}</td>
                </tr>
              ))}</tbody>
            </table>
          </div>
        )}
      <p className="small muted">New group: <code data-testid="engine-args-after">vllm serve {args.after.join(' ')}</code></p>
    </Card>
  )
}
