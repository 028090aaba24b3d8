import { pino } from 'pino'

/** The platform's own log: pino, one JSON record per event (one line), on stderr unless told otherwise. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'

export interface Logger {
  debug(fields: Record<string, unknown>, msg: string): void
  info(fields: Record<string, unknown>, msg: string): void
  warn(fields: Record<string, unknown>, msg: string): void
  error(fields: Record<string, unknown>, msg: string): void
  child(fields: Record<string, unknown>): Logger
}

/** Where records go: anything with write(); each call receives one whole record ending in "\n". */
export interface LogDestination {
  write(record: string): unknown
}

/**
 * Levels and times are written as words and ISO dates (`"level":"warn"`, not pino's 40), so a
 * record reads the same to a person and to a log shipper. Errors under `err` keep their stack in
 * the one record.
 */
export function createLogger(level: LogLevel = 'info', destination: LogDestination = pino.destination({ dest: 2, sync: true })): Logger {
  return pino(
    {
      level,
      // No pid or hostname of pino's own: records about a workerd process carry that process's pid.
      base: undefined,
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: pino.stdSerializers.err },
    },
    destination,
  )
}

export const silentLogger: Logger = createLogger('silent')
