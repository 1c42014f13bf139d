import { loadScenarioFile } from './agent/scenario-library.js';
import type { Scenario } from './agent/scenario-schema.js';
import { isSimError } from './errors.js';
import { parseFaults } from './faults/fault-spec.js';
import type { LogLevel } from './logger.js';
import type { SimOptions } from './sim-server.js';

/** Result of {@link parseCliArgs}. */
export type CliParse =
  | { kind: 'run'; options: SimOptions; logLevel: LogLevel }
  | { kind: 'help' }
  | { kind: 'error'; message: string };

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

/** The `--help` text. */
export function usage(): string {
  return [
    'Usage: rtvoice-sim [options]',
    '',
    '  --port <n>               TCP port (default 0: any free port)',
    '  --host <addr>            address to bind (default 127.0.0.1)',
    '  --ice-address <addr>     ICE candidate address in answers (default: the host; "*" = all IPv4)',
    '  --fault <spec>           inject faults, repeatable (e.g. calls=429*1, audio=stop, dc=mid_response)',
    '  --scenario <name|file>   default agent: parrot (default), greeting, tool-call, long-answer, demo, server-tool, or a scenario .json',
    '  --scenario-file <file>   register a scenario .json, selectable per request by its name; repeatable',
    '  --generation-speed <x>   response audio generated per second of wall time (default 2)',
    '  --delay-ms <n>           one-way network delay to callers, HTTP, WebSocket and media (default 0)',
    '  --rtc-hosts <mode>       process (default: calls in child processes, a native crash ends only theirs) | inline',
    '  --calls-per-host <n>     calls per rtc host process (default 8)',
    '  --log-level <level>      debug | info | warn | error | silent (default warn)',
    '  -h, --help               show this help',
    '',
  ].join('\n');
}

/**
 * Parses the command line. Pure: no I/O, no exit.
 *
 * @param argv - Arguments after the script name.
 */
export function parseCliArgs(argv: readonly string[]): CliParse {
  const options: SimOptions = {};
  let logLevel: LogLevel = 'warn';
  const faults: string[] = [];
  const scenarios: Scenario[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--port': {
        const port = Number(value());
        if (!Number.isInteger(port) || port < 0 || port > 65535) return { kind: 'error', message: '--port needs an integer 0-65535' };
        options.port = port;
        break;
      }
      case '--host': {
        const host = value();
        if (!host) return { kind: 'error', message: '--host needs an address' };
        options.host = host;
        break;
      }
      case '--ice-address': {
        const address = value();
        if (!address) return { kind: 'error', message: '--ice-address needs an address' };
        options.iceAddress = address;
        break;
      }
      case '--fault': {
        const spec = value();
        if (!spec) return { kind: 'error', message: '--fault needs a spec' };
        faults.push(spec);
        break;
      }
      case '--scenario': {
        const scenario = value();
        if (!scenario) return { kind: 'error', message: '--scenario needs a name or a .json file' };
        options.scenario = scenario;
        break;
      }
      case '--scenario-file': {
        const file = value();
        if (!file) return { kind: 'error', message: '--scenario-file needs a .json file' };
        try {
          scenarios.push(loadScenarioFile(file));
        } catch (error) {
          return { kind: 'error', message: isSimError(error) ? error.message : String(error) };
        }
        break;
      }
      case '--generation-speed': {
        const speed = Number(value());
        if (!(speed >= 1)) return { kind: 'error', message: '--generation-speed needs a number >= 1' };
        options.generationSpeed = speed;
        break;
      }
      case '--delay-ms': {
        const ms = Number(value());
        if (!(Number.isInteger(ms) && ms >= 0 && ms <= 10_000)) return { kind: 'error', message: '--delay-ms needs an integer 0-10000' };
        options.networkDelayMs = ms;
        break;
      }
      case '--rtc-hosts': {
        const mode = value();
        if (mode !== 'process' && mode !== 'inline') return { kind: 'error', message: '--rtc-hosts must be process or inline' };
        options.rtcHosts = mode;
        break;
      }
      case '--calls-per-host': {
        const n = Number(value());
        if (!(Number.isInteger(n) && n >= 1)) return { kind: 'error', message: '--calls-per-host needs an integer >= 1' };
        options.callsPerHost = n;
        break;
      }
      case '--log-level': {
        const level = value() as LogLevel;
        if (!LEVELS.includes(level)) return { kind: 'error', message: `--log-level must be one of ${LEVELS.join(', ')}` };
        logLevel = level;
        break;
      }
      default:
        return { kind: 'error', message: `unknown argument ${arg}` };
    }
  }
  if (faults.length > 0) {
    try {
      options.faults = parseFaults(faults.join(','));
    } catch (error) {
      return { kind: 'error', message: (error as Error).message };
    }
  }
  if (scenarios.length > 0) options.scenarios = scenarios;
  return { kind: 'run', options, logLevel };
}
