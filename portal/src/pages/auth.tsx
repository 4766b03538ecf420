import { useEffect, useState, type FormEvent, type ReactNode } from 'react'
import { Link, Navigate, useLocation, useNavigate, useSearchParams } from 'react-router-dom'
import { login, signup } from '../api/endpoints.ts'
import { ApiError } from '../api/client.ts'
import { clearSession, setSession, useSession } from '../api/session.ts'
import { clearCache, useAction } from '../api/query.ts'
import type { LoginReply } from '../api/types.ts'
import { ThemeToggle } from '../components/layout.tsx'

function AuthFrame({ title, subtitle, children }: { title: string; subtitle: string; children: ReactNode }) {
  return (
    <div className="auth">
      <div className="auth-aside" aria-hidden="true">
        <div className="brand brand-lg"><span className="brand-mark">◆</span> OptiInfra</div>
        <p className="auth-pitch">Cut the cost of serving LLMs on GPUs, without hurting latency or answer quality.</p>
        <ul className="auth-points">
          <li>Four agents watch cost, performance, resources and quality</li>
          <li>Every change rolls out as a canary: 10% → 50% → 100%</li>
          <li>Automatic rollback when an SLO or quality check fails</li>
          <li>Savings measured from the bill, not estimated</li>
        </ul>
      </div>
      <main className="auth-main">
        <div className="auth-theme"><ThemeToggle /></div>
        <div className="auth-card">
          <h1>{title}</h1>
          <p className="muted">{subtitle}</p>
          {children}
        </div>
      </main>
    </div>
  )
}

function startSession(reply: LoginReply, email: string): void {
  clearCache()
  setSession({ token: reply.access_token, role: reply.role, customerId: reply.customer_id, email, expiresAt: Date.now() + reply.expires_in * 1000 })
}

function authMessage(error: unknown): string | null {
  if (!error) return null
  if (error instanceof ApiError) {
    if (error.status === 401) return 'Email or password is incorrect.'
    if (error.status === 429) return 'Too many attempts. Wait a minute and try again.'
    if (error.status === 409) return 'An account with this email already exists. Log in instead.'
    return error.message
  }
  return 'Something went wrong. Try again.'
}

// Only same-app paths are accepted as a post-login destination (no open redirect).
function safeNext(next: string | null): string {
  return next && next.startsWith('/app/') && !next.startsWith('/app/login') ? next : '/app/overview'
}

/** Log in with email and password. */
export function LoginPage() {
  const session = useSession()
  const location = useLocation()
  const loggedOut = (location.state as { loggedOut?: boolean } | null)?.loggedOut === true
  useEffect(() => { if (loggedOut) { clearSession(); clearCache() } }, [loggedOut])
  const [params] = useSearchParams()
  const navigate = useNavigate()
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const action = useAction(async () => {
    const reply = await login(email.trim(), password)
    startSession(reply, email.trim())
    navigate(safeNext(params.get('next')), { replace: true })
  })
  if (session && !action.pending && !loggedOut) return <Navigate to={safeNext(params.get('next'))} replace />
  const submit = (e: FormEvent) => { e.preventDefault(); void action.run() }
  const error = authMessage(action.error)
  return (
    <AuthFrame title="Log in" subtitle="Welcome back. Log in to see your fleet.">
      <form className="form" onSubmit={submit} data-testid="login-form" noValidate>
        <label className="field">
          <span>Email</span>
          <input type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} data-testid="login-email" autoFocus />
        </label>
        <label className="field">
          <span>Password</span>
          <input type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} data-testid="login-password" />
        </label>
        {error && <p className="action-error" role="alert" data-testid="login-error">{error}</p>}
        <button type="submit" className="btn btn-primary btn-block" disabled={action.pending || !email || !password} data-testid="login-submit">
          {action.pending ? 'Logging in…' : 'Log in'}
        </button>
      </form>
      <p className="muted small auth-switch">New to OptiInfra? <Link to="/app/signup">Create an account</Link></p>
    </AuthFrame>
  )
}

/** Create a customer account (and its first user), then continue to onboarding. */
export function SignupPage() {
  const navigate = useNavigate()
  const [form, setForm] = useState({ email: '', company_name: '', password: '', plan: 'pro' as 'starter' | 'pro' | 'enterprise' })
  const action = useAction(async () => {
    const email = form.email.trim()
    await signup({ email, company_name: form.company_name.trim(), password: form.password, plan: form.plan })
    startSession(await login(email, form.password), email)
    navigate('/app/settings?welcome=1', { replace: true })
  })
  const submit = (e: FormEvent) => { e.preventDefault(); void action.run() }
  const error = authMessage(action.error)
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value })
  return (
    <AuthFrame title="Create your account" subtitle="Connect a cloud account next; recommendations follow once your fleet is discovered.">
      <form className="form" onSubmit={submit} data-testid="signup-form" noValidate>
        <label className="field"><span>Work email</span>
          <input type="email" autoComplete="email" required value={form.email} onChange={set('email')} data-testid="signup-email" autoFocus />
        </label>
        <label className="field"><span>Company name</span>
          <input type="text" autoComplete="organization" required value={form.company_name} onChange={set('company_name')} data-testid="signup-company" />
        </label>
        <label className="field"><span>Password</span>
          <input type="password" autoComplete="new-password" required value={form.password} onChange={set('password')} data-testid="signup-password" aria-describedby="pw-hint" />
          <small id="pw-hint" className="muted">At least 8 characters, with letters and digits.</small>
        </label>
        <label className="field"><span>Plan</span>
          <select value={form.plan} onChange={set('plan')} data-testid="signup-plan">
            <option value="starter">Starter</option>
            <option value="pro">Pro</option>
            <option value="enterprise">Enterprise</option>
          </select>
        </label>
        {error && <p className="action-error" role="alert" data-testid="signup-error">{error}</p>}
        <button type="submit" className="btn btn-primary btn-block" disabled={action.pending || !form.email || !form.password || !form.company_name} data-testid="signup-submit">
          {action.pending ? 'Creating account…' : 'Create account'}
        </button>
      </form>
      <p className="muted small auth-switch">Already have an account? <Link to="/app/login">Log in</Link></p>
    </AuthFrame>
  )
}
