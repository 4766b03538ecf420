import type { Command } from 'commander'
import { registerRuntimeCommand } from '../runtime/cli.ts'
import { registerGenerateCommand } from '../generator/cli.ts'
import { registerAgentCommand } from '../orchestrator/agent-process.ts'
import { registerReportCommand } from '../reports/cli.ts'
import { registerProbeCommand } from '../probe/cli.ts'

/** Commands of the other concepts (runtime, agent, generate, report, probe), one line each. */
export function registerExtraCommands(program: Command): void {
  void program
  registerRuntimeCommand(program)
  registerGenerateCommand(program)
  registerAgentCommand(program)
  registerReportCommand(program)
  registerProbeCommand(program)
}
