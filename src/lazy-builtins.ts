// Node built-ins that only some runs need, loaded on first use instead of at start-up. A static import loads a
// built-in with the module that names it: node:crypto costs about 2.5 ms, node:net 1.8 and node:zlib 1.5, which a
// `template` of a chart that makes no keys or hashes and reads no archive need not pay.
import { createRequire } from 'node:module';
import type * as Crypto from 'node:crypto';
import type * as Net from 'node:net';
import type * as Zlib from 'node:zlib';

const requireBuiltin = createRequire(import.meta.url);
let crypto: typeof Crypto | undefined;
let net: typeof Net | undefined;
let zlib: typeof Zlib | undefined;

export const nodeCrypto = (): typeof Crypto => (crypto ??= requireBuiltin('node:crypto') as typeof Crypto);
export const nodeNet = (): typeof Net => (net ??= requireBuiltin('node:net') as typeof Net);
export const nodeZlib = (): typeof Zlib => (zlib ??= requireBuiltin('node:zlib') as typeof Zlib);
