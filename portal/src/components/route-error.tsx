import { useEffect, useState } from 'react'
import { Link, isRouteErrorResponse, useRouteError } from 'react-router-dom'

// When the last automatic reload happened: a second chunk failure within this window is shown, not reloaded
// again, so a page whose chunk is really gone cannot loop.
const RELOAD_KEY = 'optiinfra.chunk-reload-at'
const RELOAD_GUARD_MS = 30_000

/**
 * A lazy page whose script cannot be fetched: a network blip, or a restart that shipped new file
 * names (the browser still holds the old index). Browsers word it differently; these are Chromium's,
 * Firefox's and Safari's, plus Vite's preload error.
 */
export function isChunkLoadError(error: unknown): boolean {
  const message = error instanceof Error ? `${error.name} ${error.message}` : String(error)
  return /Failed to fetch dynamically imported module|error loading dynamically imported module|Importing a module script failed|Unable to preload CSS|ChunkLoadError/i.test(message)
}

/** True (and remembered) when this tab may reload once now to fetch the current files. */
function claimReload(now: number): boolean {
  try {
    const last = Number(sessionStorage.getItem(RELOAD_KEY) ?? 0)
    if (now - last < RELOAD_GUARD_MS) return false
    sessionStorage.setItem(RELOAD_KEY, String(now))
    return true
  } catch {
    return false // storage blocked: never reload automatically
  }
}

/** The error element of every route: reloads once after a failed chunk load, otherwise says what happened. */
export function RouteError() {
  const error = useRouteError()
  const chunk = isChunkLoadError(error)
  // decided in an effect, not during render: rendering twice must not spend the one reload
  const [reloadRefused, setReloadRefused] = useState(false)
  useEffect(() => {
    if (!chunk) return
    if (claimReload(Date.now())) window.location.reload()
    else setReloadRefused(true)
  }, [chunk])
  if (chunk && !reloadRefused) return <div className="empty" role="status" data-testid="route-error-reloading"><p className="muted">Loading the latest version of the portal…</p></div>
  const status = isRouteErrorResponse(error) ? error.status : undefined
  const detail = chunk
    ? 'Part of the portal could not be downloaded (the network dropped, or the server was updated). Reload to fetch the current version.'
    : status ? `The page answered ${status}${isRouteErrorResponse(error) && error.statusText ? ` ${error.statusText}` : ''}.`
      : `This page hit an unexpected error${error instanceof Error && error.message ? `: ${error.message}` : ''}. The rest of the portal still works.`
  return (
    <div className="empty" role="alert" data-testid="route-error">
      <div className="empty-icon" aria-hidden="true">!</div>
      <h2>Something went wrong</h2>
      <p className="muted">{detail}</p>
      <div className="empty-action">
        <button type="button" className="btn" onClick={() => window.location.reload()}>Reload</button>{' '}
        <Link className="btn" to="/app/overview">Go to the overview</Link>
      </div>
    </div>
  )
}
