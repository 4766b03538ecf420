import { execFileSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { startTestPlatform, type TestPlatform } from '../../server/test/platform.ts'
import { seedInfrastructure } from '../support/fixtures.ts'
import { phaseLog } from '../support/phases.ts'
import { approve, waits } from '../support/api.ts'

let p: TestPlatform
let root: string
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'optiinfra-gitops-e2e-'))
  p = await startTestPlatform({ env: { OPTIINFRA_GITOPS_ALLOW_LOCAL: 'true', OPTIINFRA_DATA_DIR: path.join(root, 'data') } })
})
afterAll(async () => {
  await p?.stop()
  await rm(root, { recursive: true, force: true })
})

const git = (repo: string, ...args: string[]) => execFileSync('git', ['--git-dir', repo, ...args], { encoding: 'utf8' }).trim()

/** A customer with the seed fleet, a bare deployment repository as its GitOps actuator, and a validated spot recommendation. */
async function gitopsCustomer(name: string) {
  const c = await p.newCustomer(name)
  expect((await p.http('POST', `/customers/${c.customerId}/infrastructure`, { token: c.token, body: seedInfrastructure })).status).toBeLessThan(300)
  const repo = path.join(root, `${name.replace(/\W/g, '-')}.git`)
  execFileSync('git', ['init', '--bare', '-q', '-b', 'main', repo])
  const created = await p.http('POST', `/customers/${c.customerId}/actuators`, { token: c.token, body: { kind: 'git', repository: repo, branch: 'main', layout: 'kubernetes' } })
  expect(created.status, JSON.stringify(created.body)).toBe(201)
  await p.http('POST', `/customers/${c.customerId}/analyze`, { token: c.token, body: { agent_type: 'cost' } })
  const rec = await waits(p, c.token).recommendation(c.customerId, (r) => r.type === 'spot_migration' && r.validation_status === 'validated')
  return { ...c, repo, rec }
}

const manifest = (repo: string, rev = 'main') => parseAllDocuments(git(repo, 'show', `${rev}:deployments/vllm-prod-1.yaml`)).map((d) => d.toJS())

describe('e2e: changes through a Git repository (GitOps)', () => {
  it('test_gitops_canary_is_a_commit_per_step_and_the_twin_follows @p1 @slow', { timeout: 300_000 }, async () => {
    const log = phaseLog('GITOPS CANARY')
    const c = await gitopsCustomer('Git Ops Inc')
    expect(git(c.repo, 'log', '-1', '--format=%s', 'main')).toBe('Import current serving state')
    log.ok('Repository holds the imported fleet')

    const approval = await approve(p, c.token, c.rec.id)
    expect(approval.status, JSON.stringify(approval.body)).toBeLessThan(300)
    const opt = await waits(p, c.token).optimizationDone(approval.body.optimization_id, 180_000)
    expect(opt.status, JSON.stringify(opt.result)).toBe('completed')

    const subjects = git(c.repo, 'log', '--format=%s', 'main').split('\n').reverse()
    const ours = subjects.filter((s) => s.startsWith(c.rec.title))
    expect(ours.map((s) => s.slice(c.rec.title.length + 2))).toEqual([
      expect.stringMatching(/^deploy_canary — canary 10%/), expect.stringMatching(/^scale_to_50_percent — canary 50%/), expect.stringMatching(/promote canary to 100%/),
    ])
    log.ok(`Commits: ${ours.join(' | ')}`)

    const docs = manifest(c.repo)
    const stable = docs.find((d) => d.kind === 'Deployment' && d.metadata.labels['optiinfra.io/group'] === 'stable')
    expect(docs.some((d) => d.metadata?.labels?.['optiinfra.io/group'] === 'canary')).toBe(false)
    const infra = (await p.http('GET', `/customers/${c.customerId}/infrastructure`, { token: c.token })).body
    const spot = infra.instances.filter((i: any) => i.state !== 'terminated' && i.pricing === 'spot').map((i: any) => i.instance_id).sort()
    expect(stable.metadata.annotations['optiinfra.io/instances'].split(',').sort()).toEqual(spot)
    log.ok('The twin serves what the head commit describes')
    log.passed()
  })

  it('test_gitops_failed_canary_leaves_the_repository_at_a_revert @p1 @slow', { timeout: 300_000 }, async () => {
    const log = phaseLog('GITOPS ROLLBACK')
    const c = await gitopsCustomer('Git Revert Ltd')
    const imported = git(c.repo, 'rev-parse', 'main^{tree}')
    const fault = await p.http('POST', '/admin/simulator/faults', { token: p.adminToken, body: { customer_id: c.customerId, deployment_id: 'vllm-prod-1', target: 'canary', kind: 'quality_degradation', magnitude: 0.2 } })
    expect(fault.status).toBe(201)
    const approval = await approve(p, c.token, c.rec.id)
    expect(approval.status, JSON.stringify(approval.body)).toBeLessThan(300)
    const opt = await waits(p, c.token).optimizationDone(approval.body.optimization_id, 180_000)
    expect(opt.status).toBe('rolled_back')
    expect(git(c.repo, 'log', '-1', '--format=%s', 'main')).toMatch(/Revert/)
    expect(git(c.repo, 'rev-parse', 'main^{tree}')).toBe(imported)
    const infra = (await p.http('GET', `/customers/${c.customerId}/infrastructure`, { token: c.token })).body
    expect(infra.instances.filter((i: any) => i.state !== 'terminated').map((i: any) => i.instance_id).sort()).toEqual(['i-123456', 'i-789012'])
    log.ok(`Rolled back by ${git(c.repo, 'log', '-1', '--format=%h %s', 'main')}`)
    log.passed()
  })

  it('refuses a repository on the server disk unless allowed, and a second actuator', async () => {
    const c = await p.newCustomer('Git Rules')
    const bad = await p.http('POST', `/customers/${c.customerId}/actuators`, { token: c.token, body: { kind: 'git', repository: 'ftp://example.com/x', layout: 'kubernetes' } })
    expect(bad.status).toBe(400)
    expect(bad.body.code).toBe('OPT_ACTUATOR_INVALID')
    const missing = await p.http('POST', `/customers/${c.customerId}/actuators`, { token: c.token, body: { kind: 'git', repository: path.join(root, 'nope.git'), layout: 'kubernetes' } })
    expect(missing.status).toBe(422)
    expect(missing.body.code).toBe('OPT_ACTUATOR_UNREACHABLE')
    expect((await p.http('GET', `/customers/${c.customerId}/actuators`, { token: c.token })).body).toEqual([])
    expect((await p.http('POST', `/customers/${c.customerId}/actuators`, { token: c.token, body: { kind: 'manual' } })).status).toBe(201)
    const second = await p.http('POST', `/customers/${c.customerId}/actuators`, { token: c.token, body: { kind: 'manual' } })
    expect(second.status).toBe(409)
  })
})
