/** Log verbosity. `info` is one line per state transition; `debug` is everything else. */
export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';

/** Anything with console-like methods. */
export interface Logger {
  error(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  info(message: string, context?: Record<string, unknown>): void;
  debug(message: string, context?: Record<string, unknown>): void;
}

const LEVELS = ['silent', 'error', 'warn', 'info', 'debug'] as const;

/** A logger that drops everything below `level` and prefixes lines with `[rtvoice]`. */
export function createLogger(level: LogLevel, sink: Logger | undefined): Logger {
  const logger = {} as Logger;
  LEVELS.forEach((l, rank) => {
    if (l !== 'silent') {
      logger[l] = (message, context) => {
        if (LEVELS.indexOf(level) >= rank) (sink ?? (globalThis.console as unknown as Logger))[l](`[rtvoice] ${message}`, ...(context ? [context] : []) as []);
      };
    }
  });
  return logger;
}
