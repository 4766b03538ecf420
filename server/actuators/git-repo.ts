/**
 * A local work copy of a customer's deployment repository, written one whole commit at a time:
 * every write starts from the remote branch, changes files, commits and pushes; any failure
 * resets the work copy to the remote, so the repository never holds half a change. One writer
 * per work copy at a time (a promise chain), which is enough because one workflow lease runs a
 * deployment's change at a time.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { simpleGit, type SimpleGit } from 'simple-git'

export interface RepoSpec { repository: string; branch: string; workDir: string }
export interface CommitInfo { sha: string; message: string }

/** Trailer keys written in commit messages (Git trailers: `Key: value` lines at the end). */
export const TRAILER = { change: 'Optiinfra-Change-Id', run: 'Optiinfra-Run', retired: 'Optiinfra-Retired', canary: 'Optiinfra-Canary' } as const

/** A git process silent this long is killed (an unreachable remote must not hold a workflow step). */
export const GIT_TIMEOUT_MS = 60_000
/**
 * Git runs with a minimal environment: only what finds the binary and the user's credentials
 * helpers, and never a prompt (a server has no terminal). Passing the whole process environment
 * would hand git an operator's EDITOR or GIT_* settings, which simple-git rightly refuses.
 */
function gitEnvironment(): Record<string, string> {
  const env: Record<string, string> = { GIT_TERMINAL_PROMPT: '0' }
  for (const key of ['PATH', 'HOME', 'LANG', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'HTTPS_PROXY', 'NO_PROXY']) {
    const value = process.env[key]
    if (value !== undefined) env[key] = value
  }
  return env
}
const git = (dir?: string): SimpleGit =>
  simpleGit({ ...(dir ? { baseDir: dir } : {}), timeout: { block: GIT_TIMEOUT_MS }, allowEnvironment: ['GIT_TERMINAL_PROMPT'] }).env(gitEnvironment())

const chains = new Map<string, Promise<unknown>>()
const IDENTITY = { name: 'OptiInfra', email: 'optiinfra@localhost' }
const PUSH_ATTEMPTS = 3

/** Runs `fn` alone on one work copy. */
function exclusive<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const prev = chains.get(dir) ?? Promise.resolve()
  const next = prev.then(fn, fn)
  chains.set(dir, next.catch(() => undefined))
  return next
}

export class GitRepo {
  constructor(private readonly spec: RepoSpec) {}

  private async git(): Promise<SimpleGit> {
    const { workDir, repository, branch } = this.spec
    await mkdir(workDir, { recursive: true, mode: 0o700 })
    if ((await readdir(workDir)).length === 0) {
      await git().clone(repository, workDir)
      const g = git(workDir)
      await g.addConfig('user.name', IDENTITY.name).addConfig('user.email', IDENTITY.email)
      await g.raw(['checkout', '-B', branch])
    }
    return git(workDir)
  }

  /** Local branch = remote branch (when the remote has it), nothing uncommitted. */
  private async reset(g: SimpleGit): Promise<void> {
    await g.fetch('origin')
    const remote = await this.remoteHead(g)
    if (remote) await g.raw(['reset', '--hard', remote])
    else {
      // an empty remote: back to an unborn branch with nothing staged
      await g.raw(['update-ref', '-d', 'HEAD']).catch(() => undefined)
      await g.raw(['read-tree', '--empty'])
    }
    await g.raw(['clean', '-fd'])
  }

  /** The remote branch as of the last fetch (null while the remote has none). */
  private async remoteHead(g: SimpleGit): Promise<string | null> {
    const ref = `refs/remotes/origin/${this.spec.branch}`
    return (await g.raw(['rev-parse', '--verify', '-q', ref]).catch(() => '')).trim() ? ref : null
  }

  /** The commit on the remote branch that carries a change id, if any. */
  find(changeId: string): Promise<CommitInfo | null> {
    return exclusive(this.spec.workDir, async () => {
      const g = await this.git()
      await g.fetch('origin')
      return this.findIn(g, changeId)
    })
  }

  private async findIn(g: SimpleGit, changeId: string): Promise<CommitInfo | null> {
    if (!(await this.remoteHead(g))) return null
    const out = await g.raw(['log', `origin/${this.spec.branch}`, '-F', `--grep=${TRAILER.change}: ${changeId}`, '--format=%H%x1f%B%x1e'])
    const first = out.split('\x1e').map((s) => s.trim()).find(Boolean)
    if (!first) return null
    const [sha = '', message = ''] = first.split('\x1f')
    return { sha, message }
  }

  /** The commits of one run on the remote branch, newest first. */
  private async runCommits(g: SimpleGit, runId: string): Promise<string[]> {
    const out = await g.raw(['log', `origin/${this.spec.branch}`, '-F', `--grep=${TRAILER.run}: ${runId}`, '--format=%H'])
    return out.split('\n').map((s) => s.trim()).filter(Boolean)
  }

  /** Whether a run has commits on the remote branch. */
  hasRun(runId: string): Promise<boolean> {
    return exclusive(this.spec.workDir, async () => {
      const g = await this.git()
      await g.fetch('origin')
      return (await this.remoteHead(g)) !== null && (await this.runCommits(g, runId)).length > 0
    })
  }

  /** A file's text on the remote branch (null when absent). */
  read(file: string): Promise<string | null> {
    return exclusive(this.spec.workDir, async () => {
      const g = await this.git()
      await g.fetch('origin')
      if (!(await this.remoteHead(g))) return null
      return g.show([`origin/${this.spec.branch}:${file}`]).catch(() => null)
    })
  }

  /** A file's text as of a commit (null when the commit has no such file). */
  readAt(sha: string, file: string): Promise<string | null> {
    return exclusive(this.spec.workDir, async () => (await this.git()).show([`${sha}:${file}`]).catch(() => null))
  }

  /**
   * Writes files and pushes them as one commit, unless a commit with this change id is already on
   * the remote (a retried step). Returns the commit.
   */
  commit(changeId: string, files: Record<string, string>, message: string): Promise<CommitInfo> {
    return exclusive(this.spec.workDir, () => this.pushing(changeId, async (g) => {
      for (const [file, text] of Object.entries(files)) {
        const abs = path.join(this.spec.workDir, file)
        await mkdir(path.dirname(abs), { recursive: true })
        await writeFile(abs, text)
      }
      await g.add(Object.keys(files))
      await g.commit(message, undefined, { '--allow-empty': null })
      return true
    }))
  }

  /**
   * Reverts every commit of a run as one revert commit. Answers null (nothing written) when the
   * revert does not apply cleanly, so the caller writes the wanted state instead.
   */
  revertRun(changeId: string, runId: string, message: string): Promise<CommitInfo | null> {
    return exclusive(this.spec.workDir, async () => {
      try {
        return await this.pushing(changeId, async (g) => {
          const shas = await this.runCommits(g, runId)
          if (shas.length === 0) return false
          await g.raw(['revert', '--no-commit', ...shas])
          await g.commit(message, undefined, { '--allow-empty': null })
          return true
        })
      } catch (err) {
        if (/conflict|could not revert|nothing to revert/i.test(String(err))) return null
        throw err
      }
    })
  }

  /** Reset → write → push, retried when another writer pushed first; reset again on any failure. */
  private async pushing(changeId: string, write: (g: SimpleGit) => Promise<boolean>): Promise<CommitInfo> {
    const g = await this.git()
    for (let attempt = 1; ; attempt++) {
      await this.reset(g)
      const done = await this.findIn(g, changeId)
      if (done) return done
      try {
        if (!(await write(g))) throw new Error('nothing to revert')
        await g.push('origin', `HEAD:${this.spec.branch}`)
        const [sha = '', message = ''] = (await g.raw(['log', '-1', '--format=%H%x1f%B'])).split('\x1f')
        return { sha: sha.trim(), message: message.trim() }
      } catch (err) {
        await g.raw(['revert', '--abort']).catch(() => undefined)
        await this.reset(g).catch(() => undefined)
        if (attempt >= PUSH_ATTEMPTS || !/rejected|non-fast-forward|fetch first/i.test(String(err))) throw err
      }
    }
  }
}
