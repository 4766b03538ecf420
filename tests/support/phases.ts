/**
 * Prints a scenario's phase log as seed 000 §5 shows it ("📊 PHASE 1: …", indented results), so
 * a run reads like the seeds' reports and a failure says which phase broke.
 */
export function phaseLog(title: string) {
  let n = 0
  const out = (s: string) => process.stdout.write(`${s}\n`)
  out(`\n${'='.repeat(70)}\n${title}\n${'='.repeat(70)}`)
  return {
    phase(name: string) { out(`\n▶ PHASE ${++n}: ${name}`) },
    ok(msg: string) { out(`  ✅ ${msg}`) },
    info(msg: string) { out(`  ${msg}`) },
    passed() { out(`\n${'='.repeat(70)}\n✅ ${title} PASSED\n${'='.repeat(70)}`) },
  }
}

/** Formats dollars like the seeds' reports. */
export const usd = (v: number) => `$${Math.round(v).toLocaleString('en-US')}`
