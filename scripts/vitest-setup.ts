/**
 * Vitest setup for every test file (a forks-pool child process each). A process that created a
 * @roamhq/wrtc peer or audio source can abort when Node frees its environment at a natural exit
 * (TOOLCHAIN.md gotcha 11; seen in CI as "Check failed: node->IsInUse()" from wrtc's finalizers,
 * after the file's tests had passed). Exiting explicitly once the work is done skips that teardown.
 */
process.once('beforeExit', (code) => process.exit(code));
