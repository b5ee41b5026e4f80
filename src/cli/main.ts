#!/usr/bin/env node
// The `portolan` executable.
import module from 'node:module';
import { runCli } from './run.js';
import { processIo } from './io.js';
import { keepYoungGenerationSmall } from './young-generation.js';

// Node 22.1+ keeps compiled code on disk between runs; Node 20 has no compile cache and skips this.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
keepYoungGenerationSmall();

// A reader that stops early (`portolan template … | head -1`) closes the pipe: stop quietly, as helm does.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

const code = await runCli(process.argv.slice(2), processIo());
process.exitCode = code;
