/** Structured fields attached to a log line. Never put keys, SDP or audio here. */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

/**
 * The logger the sim writes to. Any object with these four methods works
 * (a `console`-like adapter, pino, …). The default is silent.
 */
export interface SimLogger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** Log levels accepted by {@link consoleLogger}, from most to least verbose. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

/** A logger that drops everything (the default). */
export const silentLogger: SimLogger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
  error() {},
});

/**
 * A logger writing one line per call to stderr, filtered by level.
 *
 * @param level - The least severe level that is printed.
 */
export function consoleLogger(level: LogLevel = 'info'): SimLogger {
  const min = ORDER[level];
  const write = (lvl: Exclude<LogLevel, 'silent'>, message: string, fields?: LogFields): void => {
    if (ORDER[lvl] < min) return;
    const extra = fields
      ? Object.entries(fields)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(' ')
      : '';
    process.stderr.write(`[rtvoice-sim] ${lvl} ${message}${extra ? ` ${extra}` : ''}\n`);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}
