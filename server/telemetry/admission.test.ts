import { describe, expect, it } from 'vitest'
import { createAdmission } from './admission.ts'

describe('ingestion admission', () => {
  it('refuses a batch beyond the bound with 429 and Retry-After, and frees the slot when work ends', async () => {
    const admission = createAdmission(1)
    let release!: () => void
    const first = admission.run(() => new Promise<string>((r) => { release = () => r('done') }))
    expect(admission.inFlight).toBe(1)
    const refused = await admission.run(async () => 'second').catch((e: { statusCode: number; code: string; headers: Record<string, string> }) => e)
    expect(refused).toMatchObject({ statusCode: 429, code: 'OPT_INGEST_BUSY', headers: { 'retry-after': '1' } })
    release()
    await expect(first).resolves.toBe('done')
    expect(admission.inFlight).toBe(0)
    await expect(admission.run(async () => 'third')).resolves.toBe('third')
  })

  it('frees the slot when the work fails', async () => {
    const admission = createAdmission(1)
    await expect(admission.run(async () => { throw new Error('store down') })).rejects.toThrow('store down')
    expect(admission.inFlight).toBe(0)
  })
})
