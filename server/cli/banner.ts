import type { Credentials } from '../bootstrap.ts'
import type { AccountSummary } from '../auth/reset.ts'

/** What the banner says about where the platform runs and what it manages. */
export interface BannerInput {
  url: string
  /** Whether this process is the running server (`credentials` prints where it runs when started). */
  running: boolean
  store: string
  timeScale: number
  /** The demo fleet is simulated: the banner says so, with its clock factor. */
  demo: boolean
  /** Logins created by this start, with their one-time passwords. */
  created: Credentials[]
  /** Every account (shown without passwords when none was created now). */
  accounts: AccountSummary[]
}

/**
 * The start banner, printed after start-up logs so the logins are the last thing on screen, and
 * again by `optiinfra credentials`. Passwords exist only in `created` (they are never stored in clear).
 */
export function bannerLines(b: BannerInput): string[] {
  const lines = ['', `OptiInfra ${b.running ? 'is running' : 'runs (when started with this configuration)'} at ${b.url}   (store: ${b.store})`, `  portal: ${b.url}/    API docs: ${b.url}/docs`]
  if (b.demo) lines.push(`  This is a simulated demo fleet: the cloud, GPUs and traffic are simulated, at ×${b.timeScale} time.`)
  if (b.created.length) {
    lines.push('  Logins (passwords shown once; `optiinfra reset-password --email <email>` makes a new one):')
    for (const c of b.created) lines.push(`    ${c.role} login: ${c.email}  password: ${c.password}`)
  } else if (b.accounts.length) {
    lines.push('  Logins (passwords were printed at first start; `optiinfra reset-password --email <email>` makes a new one):')
    for (const a of b.accounts.slice(0, 5)) lines.push(`    ${a.role} login: ${a.email}${a.disabled ? '  (disabled)' : ''}`)
    if (b.accounts.length > 5) lines.push(`    … and ${b.accounts.length - 5} more (\`optiinfra credentials\` lists all)`)
  } else {
    lines.push('  No accounts yet: sign up in the portal, or set OPTIINFRA_ADMIN_EMAIL and OPTIINFRA_ADMIN_PASSWORD.')
  }
  lines.push('')
  return lines
}
