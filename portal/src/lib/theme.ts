import { useSyncExternalStore } from 'react'

/** The user's theme choice; `system` follows prefers-color-scheme. */
export type Theme = 'system' | 'light' | 'dark'

const KEY = 'optiinfra.theme'
const listeners = new Set<() => void>()

/** The stored choice. */
export function getTheme(): Theme {
  const t = localStorage.getItem(KEY)
  return t === 'light' || t === 'dark' ? t : 'system'
}

/** Applies the choice to <html data-theme>, which the stylesheet reads. */
export function applyTheme(t: Theme = getTheme()): void {
  if (t === 'system') delete document.documentElement.dataset.theme
  else document.documentElement.dataset.theme = t
}

/** Stores and applies a choice. */
export function setTheme(t: Theme): void {
  if (t === 'system') localStorage.removeItem(KEY)
  else localStorage.setItem(KEY, t)
  applyTheme(t)
  for (const fn of listeners) fn()
}

/** The theme actually shown (resolving `system`). */
export function effectiveTheme(t: Theme = getTheme()): 'light' | 'dark' {
  if (t !== 'system') return t
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'
}

/** React hook: the current choice. */
export function useTheme(): Theme {
  return useSyncExternalStore((fn) => { listeners.add(fn); return () => { listeners.delete(fn) } }, getTheme, () => 'system')
}
