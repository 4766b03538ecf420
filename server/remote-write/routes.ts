/**
 * `POST /api/v1/write`: Prometheus remote-write 1.0 into the same ingestion use case as the
 * runtime's JSON pushes, so any Prometheus (or agent speaking the protocol) can feed OptiInfra.
 * Authenticated with the customer's runtime token (`authorization.credentials` in the
 * `remote_write` block). The accounting of the batch is returned as JSON; Prometheus ignores it.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses } from '../../api/common.ts'
import { IngestReply, MAX_INGEST_RECORDS } from '../../api/metrics.ts'
import { errors } from '../errors.ts'
import type { Deps } from '../deps.ts'
import type { Admission } from '../telemetry/admission.ts'
import { ingestBatch } from '../telemetry/ingest.ts'
import { INGEST_BODY_LIMIT, publishBatch, requireRuntime } from '../telemetry/routes.ts'
import { decodeWriteRequest, RemoteWriteDecodeError, toRecords } from './decode.ts'

export const remoteWriteRoutes: FastifyPluginAsyncTypebox<{ deps: Deps; admission: Admission }> = async (app, { deps, admission }) => {
  // Raw bytes for this plugin's routes only: snappy-compressed protobuf is not JSON.
  app.addContentTypeParser('application/x-protobuf', { parseAs: 'buffer', bodyLimit: INGEST_BODY_LIMIT }, (_req, body, done) => { done(null, body) })

  app.post('/api/v1/write', {
    bodyLimit: INGEST_BODY_LIMIT,
    schema: {
      tags: ['telemetry'],
      description: 'Prometheus remote-write 1.0 (snappy-compressed protobuf WriteRequest). Labels `deployment_id`, `instance_id` and `group` place samples on the fleet; `deployment:<type>` series feed agents and canary analysis.',
      response: { 200: IngestReply, ...errorResponses },
    },
  }, async (req) => {
    const runtime = requireRuntime(req)
    if (!Buffer.isBuffer(req.body)) throw new errors.OPT_UNSUPPORTED_MEDIA(String(req.headers['content-type'] ?? 'none'))
    const records = recordsOf(req.body)
    const result = await admission.run(() => ingestBatch(deps.db, runtime.customerId, records, { clock: deps.clock, source: 'remote_write' }))
    publishBatch(deps, runtime.customerId, result, req.log)
    return result
  })
}

function recordsOf(body: Buffer) {
  try {
    const records = toRecords(decodeWriteRequest(body))
    // the same per-batch bound as JSON pushes: Prometheus sends at most max_samples_per_send per request
    if (records.length > MAX_INGEST_RECORDS) throw new errors.OPT_REMOTE_WRITE_INVALID(`${records.length} samples in one request; at most ${MAX_INGEST_RECORDS}`)
    return records
  } catch (err) {
    if (err instanceof RemoteWriteDecodeError) throw new errors.OPT_REMOTE_WRITE_INVALID(err.message)
    throw err
  }
}
