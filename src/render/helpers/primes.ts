// Random primes for RSA keys. OpenSSL 3's prime search (crypto.generatePrimeSync) confirms each prime with 64
// Miller-Rabin rounds (128 above 2048 bits), two thirds of its cost, and will not take fewer. For candidates drawn at
// random, FIPS 186-5 (Table B.1) asks for 5 rounds at 1024 bits and 4 at 2048 bits: what Go's crypto/rsa runs, so
// what helm's own genCA and genPrivateKey run. This search does that: a sieve over a window of odd numbers after a
// random start (as OpenSSL's search walks), then the rounds on each survivor, each round's modular exponentiation
// done by OpenSSL. A 2048-bit key takes about 24 ms instead of 80, a 4096-bit key about 280 ms instead of 690.
import { nodeCrypto } from '../../lazy-modules.js';

/** Odd primes below 2^18, in groups whose product stays below 2^53 (one bigint remainder per group). */
let sieveGroups: { product: bigint; primes: number[] }[] | undefined;

function smallPrimeGroups(): { product: bigint; primes: number[] }[] {
  if (sieveGroups) return sieveGroups;
  const limit = 1 << 18;
  const composite = new Uint8Array(limit);
  const primes: number[] = [];
  for (let i = 3; i < limit; i += 2) {
    if (composite[i]) continue;
    primes.push(i);
    for (let j = i * i; j < limit; j += 2 * i) composite[j] = 1;
  }
  sieveGroups = [];
  for (let i = 0; i < primes.length;) {
    let product = 1;
    const group: number[] = [];
    while (i < primes.length && product * primes[i]! < 2 ** 53) {
      product *= primes[i]!;
      group.push(primes[i++]!);
    }
    sieveGroups.push({ product: BigInt(product), primes: group });
  }
  return sieveGroups;
}

/** value as `length` big-endian bytes (length 0: as few as it takes). */
const toBytes = (value: bigint, length = 0): Buffer => {
  const hex = value.toString(16);
  return Buffer.from(hex.padStart(Math.max(length * 2, hex.length + (hex.length % 2)), '0'), 'hex');
};
const fromBytes = (bytes: Buffer): bigint => (bytes.length === 0 ? 0n : BigInt(`0x${bytes.toString('hex')}`));

/**
 * base^exponent mod modulus (modulus odd, of at most 3072 bits; 1 < base < modulus), computed by OpenSSL: an RSA
 * public-key operation without padding, under a "public key" whose modulus and exponent are these. A bigint power
 * would take 20 times as long. The time it takes depends on the exponent, as does every bigint step that builds
 * the key from the primes (d, its CRT values).
 */
function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  const length = toBytes(modulus).length;
  const jwk = { kty: 'RSA', n: toBytes(modulus).toString('base64url'), e: toBytes(exponent).toString('base64url') };
  const crypto = nodeCrypto();
  const key = crypto.createPublicKey({ format: 'jwk', key: jwk });
  return fromBytes(crypto.publicEncrypt({ key, padding: crypto.constants.RSA_NO_PADDING }, toBytes(base, length)));
}

/** Miller-Rabin rounds for a random candidate of at least so many bits (FIPS 186-5 Table B.1, as Go's crypto/rsa). */
const ROUNDS: Array<[minimumBits: number, rounds: number]> = [
  [3747, 3],
  [1345, 4],
  [476, 5],
  [400, 6],
  [347, 7],
  [308, 8],
  [55, 27],
];

export function millerRabinRounds(bits: number): number {
  return ROUNDS.find(([minimumBits]) => bits >= minimumBits)?.[1] ?? 34;
}

/** `rounds` Miller-Rabin rounds with random bases on an odd n > 3; false means that n is certainly composite. */
export function millerRabin(n: bigint, rounds: number): boolean {
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  const bytes = toBytes(n).length;
  for (let round = 0; round < rounds; round++) {
    let base: bigint;
    do base = fromBytes(nodeCrypto().randomBytes(bytes)) % n;
    while (base < 2n || base > n - 2n);
    let x = modPow(base, d, n);
    if (x === 1n || x === n - 1n) continue;
    let witness = true;
    for (let i = 1; i < s && witness; i++) {
      x = (x * x) % n;
      witness = x !== n - 1n;
    }
    if (witness) return false;
  }
  return true;
}

/** Odd numbers looked at after each random start. */
const WINDOW = 4096;

/**
 * A random prime of exactly `bits` bits (a multiple of 8 from 256 to 3072) with its top two bits set, so that the
 * product of two has exactly 2 × `bits` bits.
 */
export function randomPrime(bits: number): bigint {
  if (bits % 8 !== 0 || bits < 256 || bits > 3072) throw new Error(`randomPrime: cannot make a prime of ${bits} bits`);
  const rounds = millerRabinRounds(bits);
  const sieve = new Uint8Array(WINDOW);
  for (;;) {
    const start = nodeCrypto().randomBytes(bits / 8);
    start[0]! |= 0xc0;
    start[start.length - 1]! |= 1;
    const base = fromBytes(start);
    // sieve[i] = 1 when base + 2i has a factor below 2^18. For an odd prime p with base ≡ r (mod p), p divides
    // base + 2i exactly when i ≡ -r × 2^-1 (mod p), and 2^-1 mod p is (p + 1) / 2.
    sieve.fill(0);
    for (const { product, primes } of smallPrimeGroups()) {
      const remainder = Number(base % product);
      for (const p of primes) {
        const r = remainder % p;
        for (let i = r === 0 ? 0 : ((p - r) * ((p + 1) / 2)) % p; i < WINDOW; i += p) sieve[i] = 1;
      }
    }
    for (let i = 0; i < WINDOW; i++) {
      if (sieve[i]) continue;
      const candidate = base + BigInt(2 * i);
      if (candidate >> BigInt(bits) !== 0n) break; // walked past `bits` bits: start again
      // One round first: almost every survivor of the sieve fails it, and the rest of the rounds are spent on primes.
      if (millerRabin(candidate, 1) && millerRabin(candidate, rounds - 1)) return candidate;
    }
  }
}
