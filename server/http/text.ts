/**
 * The text rule at the HTTP edge, in one hook for every route: path parameters, query string,
 * headers and JSON bodies with a NUL or an unpaired surrogate are refused with 400
 * `OPT_TEXT_INVALID` before any handler or store sees them (they used to reach PostgreSQL and
 * come back as 500). A route whose body items are judged one by one (telemetry ingestion, which
 * quarantines a bad record and stores the rest) opts out of the body check with `config.textRule`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { errors } from '../errors.ts'
import { findBadText } from '../text.ts'

/** Route config: `'items'` when the handler applies the rule to each item of its body itself. */
export interface TextRuleConfig { textRule?: 'items' }

export function installTextRule(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => {
    const bad = findBadText(req.params, 'path') ?? findBadText(req.query, 'query') ?? findBadText(req.headers, 'header')
      ?? (bodyChecked(req) ? findBadText(req.body, 'body') : undefined)
    if (bad) throw new errors.OPT_TEXT_INVALID(bad)
  })
}

const bodyChecked = (req: FastifyRequest) => (req.routeOptions.config as TextRuleConfig | undefined)?.textRule !== 'items'
