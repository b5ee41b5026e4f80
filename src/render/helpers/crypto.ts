// Sprig's certificate, key, password and encoding functions (genCA, genPrivateKey, htpasswd, encryptAES, toToml, …).
// Filled in by the crypto work; registered with the engine like the other helper tables.
export const cryptoHelpers: Record<string, (...args: unknown[]) => unknown> = {};
