import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Bundles dist/bin/portolan.mjs from src/ when it is stale, for the tests that start the binary as a process.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Child processes (tests start servers and kill processes; a crash stays in its worker), but the files of one
    // worker share the modules they import: no test mocks modules or changes process.env, and importing src/ anew
    // for every file cost more CPU than the tests themselves (import: 97 s isolated, 16 s shared).
    pool: 'forks',
    isolate: false,
    // vitest uses one worker fewer than the cores (1 on a 2-core machine); tests wait on sandboxes, servers and
    // helm/kubectl often enough that two keep both cores busy.
    maxWorkers: 2,
  },
});
