#!/usr/bin/env node
// The `portolan` executable.
import module from 'node:module';
import { runCli } from './run.js';
import { processIo } from './io.js';
import { commands } from './commands/index.js';
import { keepYoungGenerationSmall } from './young-generation.js';

// Node 22.1+ keeps compiled code on disk between runs; Node 20 has no compile cache and skips this.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
// Commands that talk to a cluster allocate mostly short-lived objects (requests, answers): with the young generation
// kept small, a 300-object install ran 13 ms (3%) slower, so they keep V8's default.
const argv = process.argv.slice(2);
const named = commands.find(
  (c) => [c.command].flat()[0]?.split(' ')[0] === argv[0] || c.aliases?.includes(argv[0] ?? ''),
);
if (!named?.cluster) keepYoungGenerationSmall();

// A reader that stops early (`portolan template … | head -1`) closes the pipe: stop quietly, as helm does.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

const code = await runCli(argv, processIo());
process.exitCode = code;
