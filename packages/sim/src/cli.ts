#!/usr/bin/env node
import { runCli } from './cli-main.js';

// Always end with process.exit(): a process that created a wrtc RTCAudioSource
// crashes at natural exit (TOOLCHAIN.md §3).
void runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  onSignal: (handler) => {
    process.on('SIGINT', () => handler('SIGINT'));
    process.on('SIGTERM', () => handler('SIGTERM'));
  },
  exit: (code) => process.exit(code),
});
