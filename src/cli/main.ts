#!/usr/bin/env node
// The `portolan` executable.
import { runCli } from './run.js';
import { processIo } from './io.js';

const code = await runCli(process.argv.slice(2), processIo());
process.exitCode = code;
