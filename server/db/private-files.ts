/**
 * The embedded store's files hold every tenant's data and the password hashes: owner-only, like
 * PostgreSQL's own data directory. PGlite creates its files with the process umask (often 0666
 * after a 000 umask in containers), so the tree is checked and narrowed at every start.
 */
import { chmod, lstat, mkdir, readdir } from 'node:fs/promises'
import path from 'node:path'

export const PRIVATE_DIR_MODE = 0o700
export const PRIVATE_FILE_MODE = 0o600

/** Creates `dir` owner-only if missing (parents too). */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE })
  await chmod(dir, PRIVATE_DIR_MODE)
}

/**
 * Narrows every directory under `root` (itself included) to 0700 and every file to 0600 when
 * group or others had any access; returns how many entries it had to fix (0 on a healthy tree).
 * Symbolic links are left alone: their target may not be ours.
 */
export async function securePrivateTree(root: string): Promise<number> {
  let fixed = 0
  const visit = async (p: string): Promise<void> => {
    const st = await lstat(p)
    if (st.isSymbolicLink()) return
    const want = st.isDirectory() ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE
    if ((st.mode & 0o077) !== 0) { await chmod(p, want); fixed++ }
    if (st.isDirectory()) for (const name of await readdir(p)) await visit(path.join(p, name))
  }
  await visit(root)
  return fixed
}
