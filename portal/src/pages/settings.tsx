import { useEffect, useState, type FormEvent } from 'react'
import { useSearchParams } from 'react-router-dom'
import { getCustomer, getInfrastructure, getInstallCommand, listRuntimeTokens, listTeam, onboard, revokeRuntimeToken, updateCustomer } from '../api/endpoints.ts'
import { invalidate, useAction, useQuery } from '../api/query.ts'
import type { Customer, InstallCommand, Preferences } from '../api/types.ts'
import { NoCustomer } from '../components/layout.tsx'
import { ActionError, Async, Badge, Card, EmptyState, ErrorState, KeyValues, Loading, PageHeader, StatusBadge, scrollRegion } from '../components/ui.tsx'
import { label, when } from '../lib/format.ts'
import { useCustomerId } from '../lib/scope.ts'
import { setTheme, useTheme, type Theme } from '../lib/theme.ts'
import { TelemetrySources } from './telemetry-sources.tsx'

/** Settings: cloud account, agent runtime, telemetry sources, preferences the orchestrator honours, team, appearance. */
export default function SettingsPage() {
  const customerId = useCustomerId()
  const [params] = useSearchParams()
  const customer = useQuery(['customer', customerId], () => getCustomer(customerId!), { enabled: !!customerId })
  if (!customerId) return <NoCustomer />
  if (!customer.data && customer.error) return <><PageHeader title="Settings" /><ErrorState error={customer.error} retry={customer.refetch} /></>
  return (
    <div data-testid="settings-page">
      <PageHeader title="Settings" subtitle="Cloud account, agent runtime, telemetry sources, optimization preferences and team" />
      {params.get('welcome') && (
        <div className="banner banner-accent" data-testid="welcome-banner">
          <div><strong>Welcome to OptiInfra.</strong> Connect a cloud account and install the agent runtime; recommendations follow once your fleet is discovered.</div>
        </div>
      )}
      <div className="grid-2">
        <CloudAccount customerId={customerId} />
        <AgentRuntime customerId={customerId} />
      </div>
      <TelemetrySources customerId={customerId} />
      {customer.data ? <PreferencesForm customer={customer.data} /> : <Card title="Preferences"><Loading lines={5} /></Card>}
      <div className="grid-2">
        <Team customerId={customerId} />
        <Appearance />
      </div>
    </div>
  )
}

const REGIONS = { aws: ['us-east-1', 'us-west-2', 'eu-west-1'], gcp: ['us-central1', 'us-east4', 'europe-west4'] }

function CloudAccount({ customerId }: { customerId: string }) {
  const infra = useQuery(['infrastructure', customerId], () => getInfrastructure(customerId))
  const form = <OnboardForm customerId={customerId} />
  return (
    <Card title="Cloud account" subtitle="OptiInfra discovers your GPU instances and vLLM deployments through a read-and-change role" testid="onboarding">
      {infra.data && (
        <KeyValues rows={[
          ['Discovery', <StatusBadge status={infra.data.status} testid="discovery-status" />],
          ['Provider', infra.data.cloud_provider ? `${infra.data.cloud_provider.toUpperCase()} · ${infra.data.region ?? ''}` : 'not connected'],
          ['Discovered', `${infra.data.instances.length} instances · ${infra.data.vllm_deployments.length} vLLM deployments`],
        ]} />
      )}
      {infra.data?.status === 'discovered' ? (
        <details className="details">
          <summary>Connect a different account</summary>
          {form}
        </details>
      ) : form}
      {infra.data?.error && <p className="action-error">{infra.data.error}</p>}
    </Card>
  )
}

function OnboardForm({ customerId }: { customerId: string }) {
  const [provider, setProvider] = useState<'aws' | 'gcp'>('aws')
  const [region, setRegion] = useState('us-east-1')
  const [identity, setIdentity] = useState('')
  const action = useAction(async () => {
    await onboard(customerId, { cloud_provider: provider, region, ...(provider === 'aws' ? { iam_role_arn: identity.trim() } : { project_id: identity.trim() }) })
    invalidate(['infrastructure', 'dashboard', 'audit'])
  })
  const submit = (e: FormEvent) => { e.preventDefault(); void action.run() }
  return (
    <form className="form form-top" onSubmit={submit} data-testid="onboard-form">
      <fieldset className="segmented-field">
        <legend className="small">Provider</legend>
        <div className="segmented" role="radiogroup">
          {(['aws', 'gcp'] as const).map((p) => (
            <label key={p} className={provider === p ? 'active' : ''}>
              <input type="radio" name="provider" value={p} checked={provider === p} onChange={() => { setProvider(p); setRegion(REGIONS[p][0]!) }} />
              {p.toUpperCase()}
            </label>
          ))}
        </div>
      </fieldset>
      <label className="field"><span>Region</span>
        <select value={region} onChange={(e) => setRegion(e.target.value)} data-testid="onboard-region">{REGIONS[provider].map((r) => <option key={r}>{r}</option>)}</select>
      </label>
      <label className="field"><span>{provider === 'aws' ? 'IAM role ARN' : 'GCP project ID'}</span>
        <input className="mono" value={identity} onChange={(e) => setIdentity(e.target.value)} required data-testid="onboard-identity"
          placeholder={provider === 'aws' ? 'arn:aws:iam::123456789012:role/OptiInfra' : 'my-project-id'} />
      </label>
      <ActionError error={action.error} />
      <button type="submit" className="btn btn-primary" disabled={action.pending || !identity.trim()} data-testid="onboard-submit">{action.pending ? 'Connecting…' : 'Connect and discover'}</button>
    </form>
  )
}

function AgentRuntime({ customerId }: { customerId: string }) {
  const [cmd, setCmd] = useState<InstallCommand | null>(null)
  const [copied, setCopied] = useState(false)
  const action = useAction(async () => { setCmd(await getInstallCommand(customerId)); setCopied(false); invalidate(['tokens']) })
  const tokens = useQuery(['tokens', customerId], () => listRuntimeTokens(customerId))
  const revoke = useAction(async (tokenId: string) => { await revokeRuntimeToken(customerId, tokenId); invalidate(['tokens', 'audit']) })
  const copy = async () => { if (cmd) { await navigator.clipboard?.writeText(cmd.install_command).catch(() => undefined); setCopied(true) } }
  return (
    <Card title="Agent runtime" subtitle="Runs next to your fleet, scrapes vLLM and DCGM /metrics and pushes them to OptiInfra" testid="install-command">
      {cmd ? (
        <>
          <label className="field"><span>Install command</span>
            <pre className="code" data-testid="install-command-text">{cmd.install_command}</pre>
          </label>
          <div className="row-gap">
            <button type="button" className="btn btn-sm" onClick={() => void copy()}>{copied ? 'Copied' : 'Copy command'}</button>
          </div>
          <label className="field"><span>Agent token</span>
            <code className="code token" data-testid="agent-token">{cmd.agent_token}</code>
          </label>
          <p className="muted small">Store the token now: it is kept hashed and cannot be shown again. Generating a new command issues a new token.</p>
        </>
      ) : (
        <EmptyState title="Install the agent runtime" action={<button type="button" className="btn btn-primary" onClick={() => void action.run()} disabled={action.pending} data-testid="generate-install-command">{action.pending ? 'Generating…' : 'Generate install command'}</button>}>
          The command carries a token for your account only.
        </EmptyState>
      )}
      <ActionError error={action.error ?? revoke.error} />
      {tokens.data && tokens.data.length > 0 && (
        <div className="table-wrap token-list" {...scrollRegion('Runtime tokens')}>
          <table className="table compact" data-testid="runtime-tokens">
            <thead><tr><th scope="col">Runtime token</th><th scope="col" className="num">Connections</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {tokens.data.map((t) => (
                <tr key={t.id}>
                  <td className="small">{t.label} <span className="mono muted">{t.id.slice(0, 8)}</span>
                    <div className="muted">created {when(t.created_at)}{t.last_seen_at ? ` · last seen ${when(t.last_seen_at)}` : ''}</div></td>
                  <td className="num">{t.connections}</td>
                  <td className="num">{t.revoked_at ? <Badge>revoked</Badge> : <button type="button" className="btn btn-sm btn-danger" onClick={() => void revoke.run(t.id)} disabled={revoke.pending}>Revoke</button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  )
}

interface PrefForm { company_name: string; plan: string; risk_tolerance: string; priority: string; p95: string; p99: string; err: string; quality: string; neverSpot: string[]; extra: string }

function toForm(c: Customer): PrefForm {
  const p = c.preferences ?? {}
  return {
    company_name: c.company_name, plan: c.plan, risk_tolerance: p.risk_tolerance ?? 'medium', priority: p.priority ?? 'balanced',
    p95: p.latency_slo_p95_ms?.toString() ?? '', p99: p.latency_slo_p99_ms?.toString() ?? '',
    // the API keeps a 0–1 ratio; the form shows percent
    err: p.max_error_rate !== undefined ? String(+(p.max_error_rate * 100).toFixed(4)) : '', quality: p.min_quality_score?.toString() ?? '',
    neverSpot: p.never_spot_deployments ?? [], extra: '',
  }
}

function toPreferences(f: PrefForm): Preferences {
  const n = (s: string) => (s.trim() === '' ? undefined : Number(s))
  const never = [...new Set([...f.neverSpot, ...f.extra.split(',').map((s) => s.trim()).filter(Boolean)])]
  const prefs: Preferences = { risk_tolerance: f.risk_tolerance as Preferences['risk_tolerance'], priority: f.priority as Preferences['priority'], never_spot_deployments: never }
  const p95 = n(f.p95); const p99 = n(f.p99); const err = n(f.err); const q = n(f.quality)
  if (p95 !== undefined) prefs.latency_slo_p95_ms = p95
  if (p99 !== undefined) prefs.latency_slo_p99_ms = p99
  if (err !== undefined) prefs.max_error_rate = err / 100
  if (q !== undefined) prefs.min_quality_score = q
  return prefs
}

function PreferencesForm({ customer }: { customer: Customer }) {
  const [form, setForm] = useState<PrefForm>(() => toForm(customer))
  const [saved, setSaved] = useState(false)
  useEffect(() => { setForm(toForm(customer)) }, [customer])
  const infra = useQuery(['infrastructure', customer.id], () => getInfrastructure(customer.id))
  const save = useAction(async () => {
    await updateCustomer(customer.id, { company_name: form.company_name.trim(), plan: form.plan, preferences: toPreferences(form) })
    invalidate(['customer', 'customers', 'audit'])
    setSaved(true)
  })
  const set = (k: keyof PrefForm) => (e: { target: { value: string } }) => { setSaved(false); setForm({ ...form, [k]: e.target.value }) }
  const deployments = [...new Set([...(infra.data?.vllm_deployments.map((d) => d.deployment_id) ?? []), ...form.neverSpot])]
  const toggle = (id: string) => { setSaved(false); setForm({ ...form, neverSpot: form.neverSpot.includes(id) ? form.neverSpot.filter((x) => x !== id) : [...form.neverSpot, id] }) }
  return (
    <Card title="Preferences" subtitle="The orchestrator puts these first when recommendations conflict" testid="preferences">
      <form className="form form-grid" onSubmit={(e) => { e.preventDefault(); void save.run() }} data-testid="preferences-form">
        <label className="field"><span>Company name</span><input value={form.company_name} onChange={set('company_name')} required data-testid="pref-company" /></label>
        <label className="field"><span>Plan</span><select value={form.plan} onChange={set('plan')}>{['starter', 'pro', 'enterprise'].map((p) => <option key={p} value={p}>{label(p)}</option>)}</select></label>
        <label className="field"><span>Risk tolerance</span><select value={form.risk_tolerance} onChange={set('risk_tolerance')} data-testid="pref-risk">{['low', 'medium', 'high'].map((p) => <option key={p} value={p}>{label(p)}</option>)}</select></label>
        <label className="field"><span>Priority</span><select value={form.priority} onChange={set('priority')} data-testid="pref-priority">{['balanced', 'cost', 'performance'].map((p) => <option key={p} value={p}>{label(p)}</option>)}</select></label>
        <label className="field"><span>p95 latency SLO (ms)</span><input type="number" min={1} inputMode="numeric" value={form.p95} onChange={set('p95')} data-testid="pref-p95" /></label>
        <label className="field"><span>p99 latency SLO (ms)</span><input type="number" min={1} inputMode="numeric" value={form.p99} onChange={set('p99')} /></label>
        <label className="field"><span>Max error rate (%)</span><input type="number" min={0} max={100} step="any" value={form.err} onChange={set('err')} /></label>
        <label className="field"><span>Min quality score (0–1)</span><input type="number" min={0} max={1} step="any" value={form.quality} onChange={set('quality')} /></label>
        <fieldset className="field field-wide">
          <legend>Never use spot for these deployments</legend>
          {deployments.length === 0 && <p className="muted small">No deployments discovered yet; you can list IDs below.</p>}
          <div className="checklist-inline">
            {deployments.map((d) => (
              <label key={d} className="check"><input type="checkbox" checked={form.neverSpot.includes(d)} onChange={() => toggle(d)} data-testid="never-spot" /><span className="mono small">{d}</span></label>
            ))}
          </div>
          <input placeholder="Other deployment IDs, comma-separated" value={form.extra} onChange={set('extra')} aria-label="Other deployment IDs to keep off spot" />
        </fieldset>
        <div className="field-wide row-gap">
          <button type="submit" className="btn btn-primary" disabled={save.pending} data-testid="save-preferences">{save.pending ? 'Saving…' : 'Save preferences'}</button>
          {saved && <span className="small success-text" role="status" data-testid="preferences-saved">Saved</span>}
          <ActionError error={save.error} />
        </div>
      </form>
    </Card>
  )
}

function Team({ customerId }: { customerId: string }) {
  const q = useQuery(['team', customerId], () => listTeam(customerId))
  return (
    <Card title="Team" subtitle="People who can approve changes for this account" testid="team">
      <Async q={q} empty={<EmptyState title="No team members" />}>
        {(users) => (
          <ul className="list">{users.map((u) => <li key={u.id} className="list-row"><span>{u.email}</span><Badge>{label(u.role)}</Badge></li>)}</ul>
        )}
      </Async>
    </Card>
  )
}

function Appearance() {
  const theme = useTheme()
  return (
    <Card title="Appearance" testid="appearance">
      <fieldset className="segmented-field">
        <legend className="small">Theme</legend>
        <div className="segmented" role="radiogroup">
          {(['system', 'light', 'dark'] as Theme[]).map((t) => (
            <label key={t} className={theme === t ? 'active' : ''}>
              <input type="radio" name="theme" value={t} checked={theme === t} onChange={() => setTheme(t)} data-testid={`theme-${t}`} />
              {label(t)}
            </label>
          ))}
        </div>
      </fieldset>
    </Card>
  )
}
