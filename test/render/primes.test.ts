import { checkPrimeSync, generatePrimeSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { millerRabin, millerRabinRounds, randomPrime } from '../../src/render/helpers/primes.js';

// With 40 rounds a composite passes with a chance below 2^-80: these tests cannot pass by luck.
describe('Miller-Rabin with OpenSSL exponentiation', () => {
  const prime = (bits: number) => generatePrimeSync(bits, { bigint: true });

  it('passes primes, whatever the bases', () => {
    expect(millerRabin(prime(512), 40)).toBe(true);
    expect(millerRabin(prime(1024), 40)).toBe(true);
    expect(millerRabin((1n << 521n) - 1n, 40)).toBe(true); // a Mersenne prime: n - 1 = 2 × odd
    expect(millerRabin((1n << 607n) - 1n, 40)).toBe(true);
  });

  it('finds composites: Carmichael numbers, strong pseudoprimes, products of two primes, a square, a Fermat number', () => {
    for (const n of [561n, 41041n, 825265n, 2047n, 3215031751n, 3825123056546413051n])
      expect(millerRabin(n, 40)).toBe(false);
    expect(millerRabin(prime(256) * prime(300), 40)).toBe(false);
    expect(millerRabin(prime(512) * prime(512), 40)).toBe(false);
    const p = prime(300);
    expect(millerRabin(p * p, 40)).toBe(false);
    expect(millerRabin((1n << 1024n) + 1n, 40)).toBe(false); // F10 = 2^(2^10) + 1 is composite
    expect(millerRabin((1n << 521n) - 3n, 40)).toBe(checkPrimeSync((1n << 521n) - 3n));
  });

  it('runs as many rounds as FIPS 186-5 Table B.1 (and Go) ask for', () => {
    expect(millerRabinRounds(1024)).toBe(5);
    expect(millerRabinRounds(2048)).toBe(4);
    expect(millerRabinRounds(4096)).toBe(3);
    expect(millerRabinRounds(512)).toBe(5);
    expect(millerRabinRounds(300)).toBe(27);
  });
});

describe('randomPrime', () => {
  it('makes primes of exactly the bits asked, top two bits set, a new one each time', () => {
    const seen = new Set<bigint>();
    for (const bits of [256, 1024, 1024, 2048]) {
      const p = randomPrime(bits);
      expect(checkPrimeSync(p)).toBe(true); // OpenSSL's own test, 64 rounds and trial division
      expect(p.toString(2)).toMatch(new RegExp(`^11[01]{${bits - 2}}$`));
      seen.add(p);
    }
    expect(seen.size).toBe(4);
  });

  it('refuses sizes it cannot make', () => {
    expect(() => randomPrime(100)).toThrow(/cannot make a prime of 100 bits/);
    expect(() => randomPrime(4096)).toThrow(/4096 bits/);
    expect(() => randomPrime(1020)).toThrow(/1020 bits/);
  });
});
