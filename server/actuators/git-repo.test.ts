import { execFileSync } from 'node:child_process'
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GitRepo, TRAILER } from './git-repo.ts'

let root: string
let remotes = 0
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim()
const bare = () => {
  const dir = path.join(root, `remote-${++remotes}.git`)
  execFileSync('git', ['init', '--bare', '-q', '-b', 'main', dir])
  return dir
}
const msg = (changeId: string, runId = 'run-1') => `step\n\n${TRAILER.change}: ${changeId}\n${TRAILER.run}: ${runId}\n`
const repoFor = (remote: string, name: string) => new GitRepo({ repository: remote, branch: 'main', workDir: path.join(root, name) })

beforeAll(async () => { root = await mkdtemp(path.join(os.tmpdir(), 'optiinfra-git-test-')) })
afterAll(async () => { await rm(root, { recursive: true, force: true }) })

describe('a deployment repository written one whole commit at a time', { timeout: 90_000 }, () => {
  it('pushes to an empty remote, and a retried change id writes nothing twice', async () => {
    const remote = bare()
    const repo = repoFor(remote, 'wc-1')
    const first = await repo.commit('r1:deploy_canary', { 'deployments/a.yaml': 'x: 1\n' }, msg('r1:deploy_canary'))
    const again = await repo.commit('r1:deploy_canary', { 'deployments/a.yaml': 'x: 2\n' }, msg('r1:deploy_canary'))
    expect(again.sha).toBe(first.sha)
    expect(git(remote, 'rev-list', '--count', 'main')).toBe('1')
    expect(await repo.read('deployments/a.yaml')).toBe('x: 1\n')
  })

  it('a second writer that pushed first is rebased over, not overwritten', async () => {
    const remote = bare()
    const a = repoFor(remote, 'wc-a')
    const b = repoFor(remote, 'wc-b')
    await a.commit('a:1', { 'deployments/a.yaml': 'a: 1\n' }, msg('a:1', 'a'))
    await b.commit('b:1', { 'deployments/b.yaml': 'b: 1\n' }, msg('b:1', 'b'))
    await a.commit('a:2', { 'deployments/a.yaml': 'a: 2\n' }, msg('a:2', 'a'))
    expect(await b.read('deployments/b.yaml')).toBe('b: 1\n')
    expect(await b.read('deployments/a.yaml')).toBe('a: 2\n')
  })

  it('reverts every commit of a run in one revert commit, leaving the tree as before the run', async () => {
    const remote = bare()
    const repo = repoFor(remote, 'wc-rev')
    await repo.commit('import', { 'deployments/a.yaml': 'state: original\n' }, `import\n\n${TRAILER.change}: import\n`)
    const before = git(remote, 'rev-parse', 'main^{tree}')
    await repo.commit('r9:deploy_canary', { 'deployments/a.yaml': 'state: canary 10\n' }, msg('r9:deploy_canary', 'r9'))
    await repo.commit('r9:scale_to_50_percent', { 'deployments/a.yaml': 'state: canary 50\n' }, msg('r9:scale_to_50_percent', 'r9'))
    expect(await repo.hasRun('r9')).toBe(true)
    const revert = await repo.revertRun('r9:abort', 'r9', `Revert r9\n\n${TRAILER.change}: r9:abort\n`)
    expect(revert).not.toBeNull()
    expect(git(remote, 'rev-parse', 'main^{tree}')).toBe(before)
    expect(git(remote, 'log', '-1', '--format=%s', 'main')).toBe('Revert r9')
    expect(await repo.hasRun('nobody')).toBe(false)
  })

  it('a push the remote refuses leaves the remote as it was and the work copy clean', async () => {
    const remote = bare()
    const repo = repoFor(remote, 'wc-refused')
    await repo.commit('ok', { 'deployments/a.yaml': 'a: 1\n' }, `ok\n\n${TRAILER.change}: ok\n`)
    const hook = path.join(remote, 'hooks', 'pre-receive')
    await writeFile(hook, '#!/bin/sh\necho "protected branch" >&2\nexit 1\n')
    await chmod(hook, 0o755)
    await expect(repo.commit('refused', { 'deployments/a.yaml': 'a: 2\n', 'deployments/b.yaml': 'b: 1\n' }, `no\n\n${TRAILER.change}: refused\n`)).rejects.toThrow(/protected branch|rejected/)
    expect(git(remote, 'rev-list', '--count', 'main')).toBe('1')
    const wc = path.join(root, 'wc-refused')
    expect(git(wc, 'status', '--porcelain')).toBe('')
    expect(git(wc, 'rev-parse', 'HEAD')).toBe(git(remote, 'rev-parse', 'main'))
  })
})
