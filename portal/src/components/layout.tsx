import { Suspense, type ReactNode } from 'react'
import { NavLink, Navigate, Outlet, useLocation, useNavigate } from 'react-router-dom'
import { useSession } from '../api/session.ts'
import { useQuery } from '../api/query.ts'
import { useLive, useLiveStatus } from '../api/live.ts'
import { getCustomer, getEnvironment, listCustomers, logout as revokeSession } from '../api/endpoints.ts'
import { setAdminCustomer, useCustomerId, useScopedHref } from '../lib/scope.ts'
import { effectiveTheme, setTheme, useTheme } from '../lib/theme.ts'
import { Loading } from './ui.tsx'

/** Sends anonymous visitors to the login page, remembering where they were going. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const session = useSession()
  const location = useLocation()
  if (!session) return <Navigate to={`/app/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />
  return <>{children}</>
}

const NAV: { section: string; items: { to: string; label: string; icon: string; admin?: boolean }[] }[] = [
  { section: '', items: [{ to: '/app/overview', label: 'Overview', icon: '◧' }] },
  { section: 'Dashboards', items: [
    { to: '/app/cost', label: 'Cost', icon: '$' },
    { to: '/app/performance', label: 'Performance', icon: '⚡' },
    { to: '/app/resources', label: 'Resources', icon: '▦' },
    { to: '/app/quality', label: 'Quality', icon: '✓' },
  ] },
  { section: 'Optimize', items: [
    { to: '/app/recommendations', label: 'Recommendations', icon: '★' },
    { to: '/app/conflicts', label: 'Conflicts', icon: '⇄' },
    { to: '/app/history', label: 'History & audit', icon: '↺' },
  ] },
  { section: 'Account', items: [
    { to: '/app/settings', label: 'Settings', icon: '⚙' },
    { to: '/app/admin', label: 'Admin', icon: '⌂', admin: true },
  ] },
]

/** The signed-in frame: navigation, tenant, live status, theme and logout around each page. */
export function Shell() {
  const session = useSession()
  const customerId = useCustomerId()
  const href = useScopedHref()
  useLive(customerId)
  const isAdmin = session?.role === 'admin'
  return (
    <div className="shell">
      <a className="skip-link" href="#main">Skip to content</a>
      <aside className="sidebar" aria-label="Main navigation">
        <div className="brand"><span className="brand-mark" aria-hidden="true">◆</span> OptiInfra</div>
        <nav>
          {NAV.map((group) => {
            const items = group.items.filter((i) => !i.admin || isAdmin)
            if (items.length === 0) return null
            return (
              <div className="nav-group" key={group.section || 'main'}>
                {group.section && <div className="nav-section">{group.section}</div>}
                {items.map((i) => (
                  <NavLink key={i.to} to={i.admin ? i.to : href(i.to)} className="nav-link" data-testid={`nav-${i.to.split('/').pop()}`}>
                    <span className="nav-icon" aria-hidden="true">{i.icon}</span>{i.label}
                  </NavLink>
                ))}
              </div>
            )
          })}
        </nav>
      </aside>
      <div className="main-col">
        <TopBar customerId={customerId} />
        {customerId && <SimulationBanner customerId={customerId} />}
        <main id="main" className="content" tabIndex={-1}>
          <Suspense fallback={<Loading lines={6} />}><Outlet /></Suspense>
        </main>
      </div>
    </div>
  )
}

function TopBar({ customerId }: { customerId: string | null }) {
  const session = useSession()
  const navigate = useNavigate()
  // the login page ends the session once it is on screen: clearing it here first would make this
  // page's guard redirect to the login with a `next` back to where the user logged out from
  // the server revokes the token first (a copied token must not outlive the logout); a failure to
  // reach it still ends the session on this screen
  const logout = () => { void revokeSession().catch(() => undefined).finally(() => navigate('/app/login', { replace: true, state: { loggedOut: true } })) }
  return (
    <header className="topbar">
      <div className="topbar-left">
        {session?.role === 'admin' ? <CustomerPicker customerId={customerId} /> : <CustomerName customerId={customerId} />}
      </div>
      <div className="topbar-right">
        <LiveIndicator />
        <ThemeToggle />
        <span className="user muted small" data-testid="user-email" title={session?.role}>{session?.email}</span>
        <button type="button" className="btn btn-ghost btn-sm" onClick={logout} data-testid="logout">Log out</button>
      </div>
    </header>
  )
}

const stamp = (iso: string) => new Date(iso).toLocaleString('en-US', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC', timeZoneName: 'short' })

/** Says on every customer page that the fleet is simulated, and how fleet time relates to wall time. */
function SimulationBanner({ customerId }: { customerId: string }) {
  const q = useQuery(['environment', customerId], () => getEnvironment(customerId))
  const env = q.data
  if (!env?.simulated) return null
  const scaled = env.time_scale !== 1
  return (
    <aside className="sim-banner" aria-label="Simulation" data-testid="simulation-banner">
      <strong>Simulated fleet.</strong> GPUs, prices, traffic and bills on these pages come from OptiInfra&apos;s simulator, not a real cloud account.
      {scaled && <> Fleet time runs ×{env.time_scale}: fleet clock {stamp(env.fleet_time)}, wall clock {stamp(env.wall_time)}; durations and dates shown are fleet time.</>}
    </aside>
  )
}

function CustomerName({ customerId }: { customerId: string | null }) {
  const q = useQuery(['customer', customerId], () => getCustomer(customerId!), { enabled: !!customerId })
  return (
    <div className="tenant" data-testid="tenant-name">
      <span className="tenant-name">{q.data?.company_name ?? (q.error ? 'Unavailable account' : '…')}</span>
      {q.data?.plan && <span className="badge badge-neutral">{q.data.plan}</span>}
    </div>
  )
}

function CustomerPicker({ customerId }: { customerId: string | null }) {
  const q = useQuery(['customers'], listCustomers)
  const navigate = useNavigate()
  const location = useLocation()
  return (
    <label className="picker">
      <span className="muted small">Customer</span>
      <select
        data-testid="customer-picker"
        value={customerId ?? ''}
        onChange={(e) => { setAdminCustomer(e.target.value || null); navigate(location.pathname) }}
      >
        <option value="">Choose a customer…</option>
        {(q.data ?? []).map((c) => <option key={c.id} value={c.id}>{c.company_name}</option>)}
      </select>
    </label>
  )
}

function LiveIndicator() {
  const status = useLiveStatus()
  if (status === 'idle') return null
  const text = status === 'open' ? 'Live' : status === 'connecting' ? 'Connecting' : status === 'closed' ? 'Reconnecting' : 'Offline'
  return (
    <span className={`live live-${status}`} data-testid="live-status" data-state={status} title="Live updates over WebSocket">
      <span className="live-dot" aria-hidden="true" />{text}
    </span>
  )
}

/** Switches between light and dark (Settings also offers "follow the system"). */
export function ThemeToggle() {
  const theme = useTheme()
  const dark = effectiveTheme(theme) === 'dark'
  return (
    <button
      type="button" className="btn btn-ghost btn-icon" data-testid="theme-toggle"
      aria-label={dark ? 'Switch to light mode' : 'Switch to dark mode'} title={dark ? 'Light mode' : 'Dark mode'}
      onClick={() => setTheme(dark ? 'light' : 'dark')}
    >
      <span aria-hidden="true">{dark ? '☀' : '☾'}</span>
    </button>
  )
}

/** Shown when an admin has not picked a customer yet. */
export function NoCustomer() {
  return (
    <div className="empty" data-testid="no-customer">
      <div className="empty-icon" aria-hidden="true">◎</div>
      <h3>Choose a customer</h3>
      <p className="muted">You are signed in as an administrator. Pick a customer in the header, or open one from the Admin page.</p>
      <div className="empty-action"><NavLink className="btn" to="/app/admin">Open Admin</NavLink></div>
    </div>
  )
}
