import type { ReactNode } from 'react'
import { Link } from 'react-router-dom'
import { ApiError } from '../api/client.ts'
import type { QueryState } from '../api/query.ts'
import { label } from '../lib/format.ts'

/** A page's title row with optional actions on the right. */
/**
 * Attributes of a scrollable table container: focusable and named, so keyboard users can scroll
 * it on narrow screens (WCAG 2.1.1; axe's scrollable-region-focusable).
 */
export function scrollRegion(label: string): { tabIndex: 0; role: 'region'; 'aria-label': string } {
  return { tabIndex: 0, role: 'region', 'aria-label': label }
}

export function PageHeader({ title, subtitle, actions, eyebrow }: { title: ReactNode; subtitle?: ReactNode; actions?: ReactNode; eyebrow?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        {eyebrow && <div className="eyebrow">{eyebrow}</div>}
        <h1>{title}</h1>
        {subtitle && <p className="muted">{subtitle}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </header>
  )
}

/** A titled panel. */
export function Card({ title, actions, children, testid, className, subtitle }: { title?: ReactNode; subtitle?: ReactNode; actions?: ReactNode; children: ReactNode; testid?: string; className?: string }) {
  return (
    <section className={`card ${className ?? ''}`} data-testid={testid}>
      {(title || actions) && (
        <div className="card-head">
          <div>
            {title && <h2>{title}</h2>}
            {subtitle && <p className="muted small">{subtitle}</p>}
          </div>
          {actions && <div className="card-actions">{actions}</div>}
        </div>
      )}
      {children}
    </section>
  )
}

/** One headline figure (`text` for a word rather than a number). */
export function Stat({ label: name, value, hint, testid, tone, text }: { label: string; value: ReactNode; hint?: ReactNode; testid?: string; tone?: Tone; text?: boolean }) {
  return (
    <div className={`stat ${tone ? `stat-${tone}` : ''}`} data-testid={testid}>
      <div className="stat-label">{name}</div>
      <div className={`stat-value ${text ? 'stat-value-text' : ''}`} data-testid={testid ? `${testid}-value` : undefined}>{value}</div>
      {hint && <div className="stat-hint">{hint}</div>}
    </div>
  )
}

export type Tone = 'neutral' | 'info' | 'success' | 'warning' | 'danger' | 'accent'

/** A small coloured label. */
export function Badge({ tone = 'neutral', children, testid, title }: { tone?: Tone; children: ReactNode; testid?: string; title?: string }) {
  return <span className={`badge badge-${tone}`} data-testid={testid} title={title}>{children}</span>
}

const TONES: Record<string, Tone> = {
  pending: 'info', ok: 'success', failing: 'danger', approved: 'accent', executing: 'accent', running: 'accent', in_progress: 'accent', started: 'accent', discovering: 'accent',
  completed: 'success', success: 'success', serving: 'success', ready: 'success', successful: 'success', active: 'success', healthy: 'success', passed: 'success', discovered: 'success', connected: 'success', done: 'success', approved_validation: 'success',
  paused: 'warning', inconclusive: 'warning', unhealthy: 'warning', degraded: 'warning', waiting: 'warning', baking: 'accent', medium: 'warning',
  failed: 'danger', rolled_back: 'danger', rolling_back: 'danger', offline: 'danger', rejected: 'danger', error: 'danger', aborted: 'danger', high: 'danger',
  superseded: 'neutral', skipped: 'neutral', cancelled: 'neutral', low: 'success', idle: 'neutral',
}

/** The tone for a status word. */
export function toneOf(status: unknown): Tone { return typeof status === 'string' ? TONES[status.toLowerCase()] ?? 'neutral' : 'neutral' }

/** A status rendered as a badge with a readable label. */
export function StatusBadge({ status, testid }: { status: unknown; testid?: string }) {
  return <Badge tone={toneOf(status)} testid={testid}>{label(status)}</Badge>
}

/** A risk level badge. */
export function RiskBadge({ level }: { level: unknown }) {
  return <Badge tone={toneOf(level)} testid="risk-badge">{label(level)} risk</Badge>
}

/** A designed empty state: what is missing and what to do about it. */
export function EmptyState({ title, children, action, testid = 'empty-state' }: { title: string; children?: ReactNode; action?: ReactNode; testid?: string }) {
  return (
    <div className="empty" data-testid={testid}>
      <div className="empty-icon" aria-hidden="true">◎</div>
      <h3>{title}</h3>
      {children && <p className="muted">{children}</p>}
      {action && <div className="empty-action">{action}</div>}
    </div>
  )
}

/** Renders an API failure: 403 and 404 have their own designed states. */
export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  const e = error instanceof ApiError ? error : null
  if (e?.status === 403) {
    return (
      <div className="empty error-state" data-testid="forbidden" role="alert">
        <div className="empty-icon" aria-hidden="true">⛔</div>
        <h3>You do not have access to this</h3>
        <p className="muted">It belongs to another account. If you think you should see it, ask an administrator.</p>
        <div className="empty-action"><Link className="btn" to="/app/overview">Back to your overview</Link></div>
      </div>
    )
  }
  if (e?.status === 404) {
    return (
      <div className="empty error-state" data-testid="not-found" role="alert">
        <div className="empty-icon" aria-hidden="true">?</div>
        <h3>Not found</h3>
        <p className="muted">{e.message || 'It may have been removed, or the link is wrong.'}</p>
        {retry && <div className="empty-action"><button type="button" className="btn" onClick={retry}>Try again</button></div>}
      </div>
    )
  }
  const message = error instanceof Error ? error.message : 'Something went wrong.'
  return (
    <div className="empty error-state" data-testid="error-state" role="alert">
      <div className="empty-icon" aria-hidden="true">!</div>
      <h3>{e?.status === 0 ? 'Cannot reach OptiInfra' : 'Could not load this'}</h3>
      <p className="muted">{message}{e?.requestId && <><br /><span className="mono small">request {e.requestId}</span></>}</p>
      {retry && <div className="empty-action"><button type="button" className="btn" onClick={retry}>Try again</button></div>}
    </div>
  )
}

/** A loading placeholder sized like the content it replaces. */
export function Loading({ lines = 3, label: text = 'Loading…' }: { lines?: number; label?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite" data-testid="loading">
      <span className="sr-only">{text}</span>
      {Array.from({ length: lines }, (_, i) => <div key={i} className="skeleton" style={{ width: `${92 - i * 14}%` }} />)}
    </div>
  )
}

/**
 * Renders a query: loading skeleton, error state, designed empty state, or the data. Keeps showing
 * data during background refetches.
 */
export function Async<T>({ q, children, empty, isEmpty, lines }: {
  q: QueryState<T>; children: (data: T) => ReactNode; empty?: ReactNode; isEmpty?: (d: T) => boolean; lines?: number
}) {
  if (q.data === undefined && q.error) return <ErrorState error={q.error} retry={q.refetch} />
  if (q.data === undefined) return <Loading lines={lines} />
  if (empty && (isEmpty ? isEmpty(q.data) : Array.isArray(q.data) && q.data.length === 0)) return <>{empty}</>
  return <>{children(q.data)}</>
}

/** An inline error under a form or button (role=alert so screen readers announce it). */
export function ActionError({ error }: { error: unknown }) {
  if (!error) return null
  const e = error instanceof ApiError ? error : null
  const message = error instanceof Error ? error.message : 'Something went wrong.'
  return <p className="action-error" role="alert" data-testid="action-error">{message}{e?.code && !e.code.startsWith('HTTP_') ? <span className="mono small"> ({e.code})</span> : null}</p>
}

/** Key/value rows. */
export function KeyValues({ rows, testid }: { rows: [ReactNode, ReactNode][]; testid?: string }) {
  return (
    <dl className="kv" data-testid={testid}>
      {rows.map(([k, v], i) => (
        <div key={i} className="kv-row"><dt>{k}</dt><dd>{v}</dd></div>
      ))}
    </dl>
  )
}
