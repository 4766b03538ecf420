/** A row of the health table. */
interface Row { name: string; status: string; response_ms: number; detail?: string }

/** Renders component health as a fixed-width table (seed 000 §3 step 5). */
export function renderHealthTable(rows: Row[]): string {
  const header = ['COMPONENT', 'STATUS', 'RESPONSE', 'DETAIL']
  const body = rows.map((r) => [r.name, r.status === 'healthy' ? '✓ healthy' : r.status === 'down' ? '✗ down' : '✗ unhealthy', `${r.response_ms} ms`, r.detail ?? ''])
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)))
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n')
}

/** Asks a running platform's `/ready`, prints the table, and returns the exit code (1 if any component is unhealthy or a customer deployment is down). */
export async function healthCheck(url: string, print: (s: string) => void = console.log): Promise<number> {
  const started = performance.now()
  let rows: Row[]
  try {
    const res = await fetch(new URL('/ready', url), { signal: AbortSignal.timeout(10_000) })
    const body = (await res.json()) as { components?: Row[]; deployments_down?: { customer_id: string; deployment_id: string; reason: string }[] }
    const down = (body.deployments_down ?? []).map((d): Row => ({ name: `deployment ${d.deployment_id}`, status: 'down', response_ms: 0, detail: `customer ${d.customer_id}: ${d.reason}` }))
    rows = [{ name: 'api', status: 'healthy', response_ms: Math.round(performance.now() - started), detail: url }, ...(body.components ?? []), ...down]
  } catch (err) {
    rows = [{ name: 'api', status: 'unhealthy', response_ms: Math.round(performance.now() - started), detail: (err as Error).message }]
  }
  print(renderHealthTable(rows))
  const unhealthy = rows.filter((r) => r.status !== 'healthy' && r.status !== 'down').length
  const down = rows.filter((r) => r.status === 'down').map((r) => r.name.replace(/^deployment /, ''))
  if (unhealthy) print(`\n${unhealthy} component(s) unhealthy`)
  if (down.length) print(`${unhealthy ? '' : '\n'}${down.length} customer deployment(s) down: ${down.join(', ')}`)
  if (!unhealthy && !down.length) print('\nall components healthy')
  return unhealthy || down.length ? 1 : 0
}
