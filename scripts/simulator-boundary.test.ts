import { describe, expect, it } from 'vitest'
import { ESLint } from 'eslint'

// tags: unit — the simulator stays behind the CloudProvider seam (issue 11 item 1)
const eslint = new ESLint({ cwd: process.cwd() })
const ruleHits = async (code: string, filePath: string) =>
  (await eslint.lintText(code, { filePath }))[0]!.messages.filter((m) => m.ruleId === 'no-restricted-imports').length

describe('the simulator boundary', () => {
  it('refuses a platform module that imports the simulator, directly or by its class from the wiring', async () => {
    expect(await ruleHits("import { billLines } from '../cloud/simulator/billing.ts'\nexport const x = billLines\n", 'server/dashboard/leak.ts')).toBe(1)
    expect(await ruleHits("import type { Simulator } from '../cloud/index.ts'\nexport type X = Simulator\n", 'server/agents/leak.ts')).toBe(1)
  })
  it('allows the seam itself, the simulator\'s own folder and test code', async () => {
    expect(await ruleHits("import type { CloudProvider } from '../cloud/index.ts'\nexport type X = CloudProvider\n", 'server/dashboard/ok.ts')).toBe(0)
    expect(await ruleHits("import { billLines } from './billing.ts'\nexport const x = billLines\n", 'server/cloud/simulator/ok.ts')).toBe(0)
    expect(await ruleHits("import { billLines } from '../cloud/simulator/billing.ts'\nexport const x = billLines\n", 'server/dashboard/ok.test.ts')).toBe(0)
  })
})
