import { mkdtemp, mkdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ensurePrivateDir, securePrivateTree } from './private-files.ts'

const made: string[] = []
afterEach(async () => { for (const d of made.splice(0)) await rm(d, { recursive: true, force: true }) })

async function scratch(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'optiinfra-modes-'))
  made.push(d)
  return d
}

const modeOf = async (p: string) => (await stat(p)).mode & 0o777

describe('private data files', () => {
  it('narrows a world-readable tree to owner-only directories and files, and reports what it fixed', async () => {
    const root = await scratch()
    await mkdir(path.join(root, 'pgdata', 'base'), { recursive: true, mode: 0o777 })
    await writeFile(path.join(root, 'pgdata', 'base', '1'), 'x', { mode: 0o666 })
    await writeFile(path.join(root, 'jwt-secret'), 's', { mode: 0o600 })
    const { chmod } = await import('node:fs/promises')
    await chmod(path.join(root, 'pgdata'), 0o777)
    await chmod(path.join(root, 'pgdata', 'base', '1'), 0o666)
    expect(await securePrivateTree(root)).toBeGreaterThanOrEqual(2)
    expect(await modeOf(path.join(root, 'pgdata'))).toBe(0o700)
    expect(await modeOf(path.join(root, 'pgdata', 'base', '1'))).toBe(0o600)
    expect(await modeOf(path.join(root, 'jwt-secret'))).toBe(0o600)
    expect(await securePrivateTree(root)).toBe(0)
  })

  it('creates a missing data folder owner-only', async () => {
    const dir = path.join(await scratch(), 'data', 'nested')
    await ensurePrivateDir(dir)
    expect(await modeOf(dir)).toBe(0o700)
  })
})
