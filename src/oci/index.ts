// OCI registries: chart references, the distribution API client, Helm's chart manifests, stored logins.
export * from './reference.js';
export * from './manifest.js';
export * from './credentials.js';
export { RegistryClient, parseChallenge, type RegistryClientOptions } from './client.js';
export * from './chart.js';
