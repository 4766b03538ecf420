import { compressSync } from 'snappy'
import { describe, expect, it } from 'vitest'
import { decodeWriteRequest, encodeWriteRequest, RemoteWriteDecodeError, toRecords } from './decode.ts'

const body = (req: Parameters<typeof encodeWriteRequest>[0]) => compressSync(encodeWriteRequest(req))

describe('remote-write decoding', () => {
  it('turns each sample of a WriteRequest into a record, coordinates lifted out of the labels', () => {
    const decoded = decodeWriteRequest(body({
      timeseries: [{
        labels: [{ name: '__name__', value: 'deployment:ttft_p95_ms' }, { name: 'deployment_id', value: 'chat' }, { name: 'group', value: 'canary' }, { name: 'job', value: 'vllm' }],
        samples: [{ value: 180.5, timestamp: 1_764_900_000_000 }, { value: 190, timestamp: 1_764_900_015_000 }],
      }],
    }))
    expect(toRecords(decoded)).toEqual([
      { series: { metric: 'deployment:ttft_p95_ms', labels: { job: 'vllm' }, deployment_id: 'chat', group: 'canary' }, ts: 1_764_900_000_000, value: 180.5 },
      { series: { metric: 'deployment:ttft_p95_ms', labels: { job: 'vllm' }, deployment_id: 'chat', group: 'canary' }, ts: 1_764_900_015_000, value: 190 },
    ])
  })

  it('spells non-finite values the way ingestion reads them (Prometheus stale markers are NaN)', () => {
    const decoded = decodeWriteRequest(body({ timeseries: [{ labels: [{ name: '__name__', value: 'up' }], samples: [{ value: Number.NaN, timestamp: 1 }, { value: Infinity, timestamp: 2 }] }] }))
    expect(toRecords(decoded).map((r) => r.value)).toEqual(['NaN', '+Inf'])
  })

  it('refuses a body that is not snappy-compressed, and one that is not a WriteRequest', () => {
    expect(() => decodeWriteRequest(Buffer.from('{"records":[]}'))).toThrow(RemoteWriteDecodeError)
    expect(() => decodeWriteRequest(compressSync(Buffer.from([0x0a, 0xff, 0xff, 0xff])))).toThrow(RemoteWriteDecodeError)
  })
})
