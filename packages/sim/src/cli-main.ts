import { parseCliArgs, usage } from './cli-args.js';
import { isSimError } from './errors.js';
import { consoleLogger } from './logger.js';
import { startSim } from './sim-server.js';

/** What the command needs from its process (injected so it can be tested). */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Registers a handler for SIGINT and SIGTERM. */
  onSignal(handler: (signal: string) => void): void;
  /** Ends the process (`process.exit`). */
  exit(code: number): void;
}

/**
 * The `rtvoice-sim` command: parses flags, starts the sim, prints exactly
 * `rtvoice-sim listening on http://HOST:PORT`, and on SIGINT/SIGTERM closes
 * it and exits 0 (1 if closing fails or takes over 5 s).
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<void> {
  const parsed = parseCliArgs(argv);
  if (parsed.kind === 'help') {
    io.stdout(usage());
    io.exit(0);
    return;
  }
  if (parsed.kind === 'error') {
    io.stderr(`rtvoice-sim: ${parsed.message}\n\n${usage()}`);
    io.exit(2);
    return;
  }
  let sim: Awaited<ReturnType<typeof startSim>>;
  try {
    sim = await startSim({ prewarmRtc: true, ...parsed.options, logger: consoleLogger(parsed.logLevel) });
  } catch (error) {
    const message = isSimError(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
    io.stderr(`rtvoice-sim: ${message}\n`);
    io.exit(1);
    return;
  }
  io.stdout(`rtvoice-sim listening on ${sim.url}\n`);
  if (sim.directUrl !== sim.url) io.stdout(`rtvoice-sim without the network delay: ${sim.directUrl}\n`);
  let stopping = false;
  io.onSignal((signal) => {
    if (stopping) return;
    stopping = true;
    io.stderr(`[rtvoice-sim] ${signal}: closing\n`);
    const force = setTimeout(() => io.exit(1), 5000);
    sim.close().then(
      () => {
        clearTimeout(force);
        io.exit(0);
      },
      () => {
        clearTimeout(force);
        io.exit(1);
      },
    );
  });
}
