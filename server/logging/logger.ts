import pino, { type Logger } from 'pino'
import pretty from 'pino-pretty'
import type { Config } from '../config.ts'

/** Whether logs are written for people (a terminal) or for machines (JSON, one object a line). */
export function usePrettyLogs(format: Config['logFormat'], isTty: boolean): boolean {
  return format === 'pretty' || (format === 'auto' && isTty)
}

/**
 * The platform's logger: pino with pino-pretty's stream on a terminal (synchronous, in this thread,
 * so the banner printed after start-up is really last), plain JSON to stdout otherwise.
 */
export function createLogger(config: Pick<Config, 'logLevel' | 'logFormat'>, isTty = Boolean(process.stdout.isTTY)): Logger {
  if (!usePrettyLogs(config.logFormat, isTty)) return pino({ level: config.logLevel })
  return pino({ level: config.logLevel }, pretty({ colorize: isTty, sync: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,reqId' }))
}
