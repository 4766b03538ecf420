/**
 * Prometheus remote-write 1.0 bodies → telemetry records. The wire format is a snappy-compressed
 * (block format, not framed) protobuf `prometheus.WriteRequest`; the schema below is the subset of
 * prometheus/prompb/types.proto and remote.proto that carries samples (field numbers from there).
 * Histograms, exemplars and metadata are not samples and are ignored.
 */
import protobuf from 'protobufjs'
import { uncompressSync } from 'snappy'
import type { IngestRecord } from '../telemetry/record.ts'

const root = protobuf.Root.fromJSON({
  nested: {
    prometheus: {
      nested: {
        WriteRequest: { fields: { timeseries: { rule: 'repeated', type: 'TimeSeries', id: 1 } } },
        TimeSeries: { fields: { labels: { rule: 'repeated', type: 'Label', id: 1 }, samples: { rule: 'repeated', type: 'Sample', id: 2 } } },
        Label: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        Sample: { fields: { value: { type: 'double', id: 1 }, timestamp: { type: 'int64', id: 2 } } },
      },
    },
  },
})
const WriteRequest = root.lookupType('prometheus.WriteRequest')

/** The decoded request, as plain objects (int64 timestamps as numbers: ms since epoch fit in 2^53). */
export interface WriteRequestShape {
  timeseries: { labels: { name: string; value: string }[]; samples: { value: number; timestamp: number }[] }[]
}

/**
 * Labels that carry OptiInfra's fleet coordinates. A Prometheus adds them by relabelling (or by
 * recording rules named `deployment:<type>`), so its samples land on the right deployment.
 */
export const COORDINATE_LABELS = { deployment_id: 'deployment_id', instance_id: 'instance_id', group: 'group' } as const

/** Why a body could not be read at all (the whole request is refused; nothing is stored). */
export class RemoteWriteDecodeError extends Error {}

/** Uncompresses and decodes one remote-write body. */
export function decodeWriteRequest(body: Buffer): WriteRequestShape {
  let raw: Buffer
  try {
    raw = uncompressSync(body, { asBuffer: true }) as Buffer
  } catch (err) {
    throw new RemoteWriteDecodeError(`body is not snappy block-compressed: ${(err as Error).message}`)
  }
  try {
    const msg = WriteRequest.decode(raw)
    return WriteRequest.toObject(msg, { longs: Number, defaults: true, arrays: true }) as WriteRequestShape
  } catch (err) {
    throw new RemoteWriteDecodeError(`body is not a prometheus.WriteRequest: ${(err as Error).message}`)
  }
}

/**
 * One record per sample, in the shape the ingestion use case checks: `__name__` becomes the metric,
 * coordinate labels move to the record's coordinates, every other label stays a label. Records
 * are not validated here; ingestion quarantines what breaks its rules, with a reason.
 */
export function toRecords(req: WriteRequestShape): IngestRecord[] {
  const out: IngestRecord[] = []
  for (const ts of req.timeseries) {
    const series = seriesOf(ts.labels)
    for (const s of ts.samples) out.push({ series, ts: s.timestamp, value: numberText(s.value) })
  }
  return out
}

function seriesOf(labels: { name: string; value: string }[]): IngestRecord['series'] {
  const rest: Record<string, string> = {}
  let metric = ''
  const coords: { deployment_id?: string; instance_id?: string; group?: string } = {}
  for (const { name, value } of labels) {
    if (name === '__name__') metric = value
    else if (name === COORDINATE_LABELS.deployment_id) coords.deployment_id = value
    else if (name === COORDINATE_LABELS.instance_id) coords.instance_id = value
    else if (name === COORDINATE_LABELS.group) coords.group = value
    else rest[name] = value
  }
  return { metric, labels: rest, ...coords }
}

// JSON cannot carry NaN/Inf; ingestion reads the exposition spellings (and quarantines them as not finite).
function numberText(v: number): number | string {
  if (Number.isFinite(v)) return v
  return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf'
}

/** Encodes a request (for tests and the benchmark: what a Prometheus sends). */
export function encodeWriteRequest(req: WriteRequestShape): Buffer {
  const msg = WriteRequest.fromObject(req)
  return Buffer.from(WriteRequest.encode(msg).finish())
}
