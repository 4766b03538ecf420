/**
 * Which audit entries a customer hears about, and the message: a Slack-compatible payload
 * (`text` plus Block Kit `blocks`), which Slack, Mattermost, Microsoft Teams workflows and most chat
 * tools accept on an incoming webhook.
 */
import { outboundUrlProblem } from '../http/outbound-url.ts'

export const NOTIFICATION_EVENTS = ['approval_needed', 'rolled_back', 'failed', 'completed', 'incident'] as const
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number]

/**
 * Audit entries per event. A recommendation needs approval when the validation that completes its
 * set is recorded; an incident is any `incident:` entry the reconciler writes.
 */
const ACTIONS: Record<NotificationEvent, (action: string, detail: Record<string, unknown>) => boolean> = {
  approval_needed: (a, d) => a === 'recommendation:validation:approved' && d.validation_status === 'validated',
  rolled_back: (a) => a === 'recommendation:rolled_back',
  failed: (a) => a === 'recommendation:failed',
  completed: (a) => a === 'recommendation:completed',
  incident: (a) => a.startsWith('incident:'),
}

/** The event an audit entry is, or null when no one is notified of it. */
export function eventOf(row: Pick<AuditRow, 'action' | 'detail'>): NotificationEvent | null {
  return NOTIFICATION_EVENTS.find((e) => ACTIONS[e](row.action, row.detail ?? {})) ?? null
}

/** Every audit action that can notify, for a SQL filter. */
export const NOTIFYING_ACTIONS = ['recommendation:validation:approved', 'recommendation:rolled_back', 'recommendation:failed', 'recommendation:completed']
export const NOTIFYING_PREFIXES = ['incident:']

export interface AuditRow { id: string; customer_id: string; action: string; subject_type: string; subject_id: string | null; detail: Record<string, unknown>; at: string }

const TITLES: Record<NotificationEvent, string> = {
  approval_needed: ':inbox_tray: A validated recommendation is waiting for approval',
  rolled_back: ':rewind: A change was rolled back',
  failed: ':x: A change failed',
  completed: ':white_check_mark: A change completed',
  incident: ':rotating_light: Incident',
}

/** The payload posted for one audit entry; `portalUrl` links the subject when known. */
export function slackPayload(event: NotificationEvent, row: AuditRow, portalUrl: string): { text: string; blocks: unknown[] } {
  const reason = typeof row.detail.reason === 'string' ? row.detail.reason : typeof row.detail.message === 'string' ? row.detail.message : null
  const subject = `${row.subject_type} ${row.subject_id ?? ''}`.trim()
  const link = row.subject_type === 'recommendation' && row.subject_id ? `${portalUrl}/app/recommendations/${row.subject_id}` : `${portalUrl}/app/history`
  const text = `${TITLES[event]}: ${subject}${reason ? ` — ${reason}` : ''}`
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${TITLES[event]}*\n${subject}${reason ? `\n>${reason}` : ''}` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `<${link}|Open in OptiInfra> · ${row.at}` }] },
    ],
  }
}

/** Fleet-independent wall delay before the n-th retry of a failed delivery (capped exponential). */
export function retryDelayMs(attempt: number): number {
  return Math.min(5 * 60_000, 1000 * 2 ** Math.max(0, attempt - 1))
}

/** Deliveries are given up after this many attempts (recorded as failed, the cursor moves on). */
export const MAX_ATTEMPTS = 6

/**
 * Why a webhook URL is refused, or null. HTTPS only, unless the operator allows plain HTTP and
 * private addresses (`OPTIINFRA_WEBHOOKS_ALLOW_PRIVATE`).
 */
export function webhookUrlProblem(raw: string, allowPrivate: boolean): string | null {
  return outboundUrlProblem(raw, { allowPrivate, httpsOnly: true })
}
