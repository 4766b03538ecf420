import { useSyncExternalStore } from 'react'
import type { Role } from './types.ts'

/** A logged-in user's session, kept in localStorage so a reload keeps you logged in. */
export interface Session { token: string; role: Role; customerId: string | null; email: string; expiresAt: number }

const KEY = 'optiinfra.session'
const listeners = new Set<() => void>()
let current: Session | null = read()

function read(): Session | null {
  try {
    const raw = localStorage.getItem(KEY)
    if (!raw) return null
    const s = JSON.parse(raw) as Session
    return typeof s.token === 'string' && s.expiresAt > Date.now() ? s : null
  } catch {
    return null
  }
}

function emit(): void { for (const fn of listeners) fn() }

/** The current session, or null when logged out or expired. */
export function getSession(): Session | null {
  if (current && current.expiresAt <= Date.now()) { current = null; localStorage.removeItem(KEY) }
  return current
}

/** Stores a new session (after login). */
export function setSession(s: Session): void {
  current = s
  localStorage.setItem(KEY, JSON.stringify(s))
  emit()
}

/** Ends the session (logout, or the server said the token is no longer valid). */
export function clearSession(): void {
  if (!current && !localStorage.getItem(KEY)) return
  current = null
  localStorage.removeItem(KEY)
  emit()
}

/** React hook: re-renders when the session changes (login, logout, another tab). */
export function useSession(): Session | null {
  return useSyncExternalStore(subscribe, getSession, () => null)
}

function subscribe(fn: () => void): () => void {
  listeners.add(fn)
  const onStorage = (e: StorageEvent) => { if (e.key === KEY) { current = read(); fn() } }
  window.addEventListener('storage', onStorage)
  return () => { listeners.delete(fn); window.removeEventListener('storage', onStorage) }
}
