// Starts the overview's dashboard request while the app's JavaScript is still loading: this tiny
// script is not bundled (it imports nothing), so the API call and React's start-up overlap instead
// of running one after the other. The app takes the answer with `takePrefetch` (src/api/client.ts).
;(function prefetchDashboard() {
  const path = location.pathname.replace(/\/+$/, '')
  if (path !== '' && path !== '/app' && path !== '/app/overview') return
  let session = null
  try { session = JSON.parse(localStorage.getItem('optiinfra.session') || 'null') } catch { return }
  if (!session || !session.token || !session.expiresAt || session.expiresAt <= Date.now()) return
  const customer = new URLSearchParams(location.search).get('customer') || session.customerId
  if (!customer) return
  const api = `/portal/customers/${encodeURIComponent(customer)}/dashboard`
  const response = fetch(api, { headers: { accept: 'application/json', authorization: `Bearer ${session.token}` } })
    .then(async (r) => {
      const answer = { status: r.status, body: await r.json().catch(() => null) }
      // kept readable synchronously, so the app can render the figures in its very first render
      if (window.__optiinfraPrefetch) window.__optiinfraPrefetch.settled = answer
      return answer
    })
    .catch(() => null)
  window.__optiinfraPrefetch = { path: api, response, settled: null }
})()
