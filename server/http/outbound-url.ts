/**
 * The one rule for URLs a customer makes the server call (webhooks, Prometheus sources): no
 * credentials in the URL, http(s) only, and no private or loopback address unless the operator
 * allows it — a customer must not make the server call into the operator's own network.
 */
export function outboundUrlProblem(raw: string, opts: { allowPrivate: boolean; httpsOnly: boolean }): string | null {
  let url: URL
  try { url = new URL(raw) } catch { return 'not a URL' }
  if (url.username || url.password) return 'credentials in the URL are not accepted; use a secret path or a header'
  if (opts.allowPrivate) return ['https:', 'http:'].includes(url.protocol) ? null : 'expected an http(s) URL'
  if (opts.httpsOnly && url.protocol !== 'https:') return 'expected an https:// URL'
  if (!['https:', 'http:'].includes(url.protocol)) return 'expected an http(s) URL'
  const host = url.hostname.replace(/^\[|\]$/g, '')
  const privateHost = host === 'localhost' || /^(127\.|10\.|192\.168\.|169\.254\.|172\.(1[6-9]|2\d|3[01])\.|0\.)/.test(host) || /^(::1?|f[cd][0-9a-f]{2}:|fe80:)/i.test(host)
  return privateHost ? 'private and loopback addresses are refused' : null
}
