// The public library API of portolan.
export * from './errors.js';
export type * from './chart/types.js';
