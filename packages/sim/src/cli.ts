#!/usr/bin/env node
import { parseCliArgs, usage } from './cli-args.js';
import { isSimError } from './errors.js';
import { consoleLogger } from './logger.js';
import { startSim } from './sim-server.js';

/**
 * `rtvoice-sim` command: starts the sim and serves until SIGINT/SIGTERM.
 * Always ends with `process.exit()` (a process that created a wrtc
 * `RTCAudioSource` crashes at natural exit).
 */
async function main(argv: string[]): Promise<void> {
  const parsed = parseCliArgs(argv);
  if (parsed.kind === 'help') {
    process.stdout.write(usage());
    process.exit(0);
  }
  if (parsed.kind === 'error') {
    process.stderr.write(`rtvoice-sim: ${parsed.message}\n\n${usage()}`);
    process.exit(2);
  }
  const sim = await startSim({ ...parsed.options, logger: consoleLogger(parsed.logLevel) });
  process.stdout.write(`rtvoice-sim listening on ${sim.url}\n`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`[rtvoice-sim] ${signal}: closing\n`);
    const force = setTimeout(() => process.exit(1), 5000);
    sim.close().then(
      () => {
        clearTimeout(force);
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = isSimError(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
  process.stderr.write(`rtvoice-sim: ${message}\n`);
  process.exit(1);
});
