// Modules that only some runs need, loaded on first use instead of at start-up: a static import loads a module with
// the one that names it. Node's built-ins: node:crypto costs about 2.5 ms to load, node:net 1.8 and node:zlib 1.5,
// which a `template` of a chart that makes no keys or hashes and reads no archive need not pay. Packages (CommonJS,
// resolved from node_modules as a static import would be): node-forge (20 ms), re2js (290 KB), bcryptjs.
import { createRequire } from 'node:module';
import type * as Crypto from 'node:crypto';
import type * as Net from 'node:net';
import type * as Zlib from 'node:zlib';

const requireHere = createRequire(import.meta.url);

/** A function that loads `specifier` through require on its first call and returns it from then on. */
export function lazyModule<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireHere(specifier) as T);
}

export const nodeCrypto = lazyModule<typeof Crypto>('node:crypto');
export const nodeNet = lazyModule<typeof Net>('node:net');
export const nodeZlib = lazyModule<typeof Zlib>('node:zlib');
