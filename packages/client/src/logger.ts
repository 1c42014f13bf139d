/** Log verbosity. `info` is one line per state transition; `debug` is everything else. */
export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';

/** Anything with console-like methods. */
export interface Logger {
  error(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  info(message: string, context?: Record<string, unknown>): void;
  debug(message: string, context?: Record<string, unknown>): void;
}

const RANK: Record<LogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 };

/** A logger that drops everything below `level` and prefixes lines with `[rtvoice]`. */
export function createLogger(level: LogLevel, sink: Logger | undefined): Logger {
  const at = (l: Exclude<LogLevel, 'silent'>) => (message: string, context?: Record<string, unknown>) => {
    if (RANK[level] < RANK[l]) return;
    const target = sink ?? (globalThis.console as unknown as Logger);
    if (context) target[l](`[rtvoice] ${message}`, context);
    else target[l](`[rtvoice] ${message}`);
  };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}
