/** A small structured logger: one JSON object per line on stderr, or nothing below the level. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'

export interface Logger {
  debug(fields: Record<string, unknown>, msg: string): void
  info(fields: Record<string, unknown>, msg: string): void
  warn(fields: Record<string, unknown>, msg: string): void
  error(fields: Record<string, unknown>, msg: string): void
  child(fields: Record<string, unknown>): Logger
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 }

function serialise(value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack }
  return value
}

export function createLogger(
  level: LogLevel = 'info',
  base: Record<string, unknown> = {},
  write: (line: string) => void = (line) => process.stderr.write(line + '\n'),
): Logger {
  const emit = (lvl: LogLevel, fields: Record<string, unknown>, msg: string): void => {
    if (order[lvl] < order[level]) return
    const record: Record<string, unknown> = { time: new Date().toISOString(), level: lvl, msg, ...base }
    for (const [k, v] of Object.entries(fields)) record[k] = serialise(v)
    write(JSON.stringify(record))
  }
  return {
    debug: (f, m) => emit('debug', f, m),
    info: (f, m) => emit('info', f, m),
    warn: (f, m) => emit('warn', f, m),
    error: (f, m) => emit('error', f, m),
    child: (fields) => createLogger(level, { ...base, ...fields }, write),
  }
}

export const silentLogger: Logger = createLogger('silent')
