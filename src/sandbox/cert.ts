// A tiny X.509 issuer: a self-signed CA and a server certificate for 127.0.0.1/localhost, ECDSA P-256,
// DER-encoded by hand (node:crypto makes keys and signatures but cannot issue certificates).
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

// ---- DER ----
function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
function tlv(tag: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
}
const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
const octets = (b: Buffer): Buffer => tlv(0x04, b);
const bits = (b: Buffer, unused = 0): Buffer => tlv(0x03, Buffer.concat([Buffer.from([unused]), b]));
const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0]));
const explicit = (n: number, body: Buffer): Buffer => tlv(0xa0 + n, body);
function integer(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0 && (b[i + 1]! & 0x80) === 0) i++;
  let body = b.subarray(i);
  if ((body[0]! & 0x80) !== 0) body = Buffer.concat([Buffer.from([0]), body]);
  return tlv(0x02, body);
}
function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [40 * parts[0]! + parts[1]!];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    let v = Math.floor(p / 128);
    while (v > 0) {
      chunk.unshift((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}
function utcTime(d: Date): Buffer {
  const p = (n: number) => String(n).padStart(2, '0');
  const s = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return tlv(0x17, Buffer.from(s, 'ascii'));
}
const name = (cn: string): Buffer => seq(set(seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(cn, 'utf8')))));
const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));
const ext = (id: string, critical: boolean, value: Buffer): Buffer =>
  critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));

function keyId(publicKey: KeyObject): Buffer {
  return createHash('sha1')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest();
}

interface IssueInput {
  subject: string;
  publicKey: KeyObject;
  issuer: string;
  issuerKey: KeyObject;
  issuerPublicKey: KeyObject;
  isCA: boolean;
  days: number;
}

function issue(input: IssueInput): string {
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;
  const now = Date.now();
  const extensions: Buffer[] = [
    ext('2.5.29.19', true, input.isCA ? seq(bool(true)) : seq()),
    // keyUsage: CA = digitalSignature|keyCertSign|cRLSign; leaf = digitalSignature
    ext('2.5.29.15', true, input.isCA ? bits(Buffer.from([0x86]), 1) : bits(Buffer.from([0x80]), 7)),
    ext('2.5.29.14', false, octets(keyId(input.publicKey))),
  ];
  if (!input.isCA) {
    extensions.push(ext('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))));
    extensions.push(ext('2.5.29.35', false, seq(tlv(0x80, keyId(input.issuerPublicKey)))));
    extensions.push(
      ext(
        '2.5.29.17',
        false,
        seq(tlv(0x82, Buffer.from('localhost', 'ascii')), tlv(0x87, Buffer.from([127, 0, 0, 1]))),
      ),
    );
  }
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    ECDSA_SHA256,
    name(input.issuer),
    seq(utcTime(new Date(now - 3600_000)), utcTime(new Date(now + input.days * 86400_000))),
    name(input.subject),
    input.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, seq(...extensions)),
  );
  const signature = sign('sha256', tbs, input.issuerKey);
  const der = seq(tbs, ECDSA_SHA256, bits(signature));
  const b64 = der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

export interface SandboxTls {
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
}

/** A fresh CA and a server certificate for 127.0.0.1 and localhost, valid for ten years. */
export function createTls(): SandboxTls {
  const ca = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const srv = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const caCert = issue({
    subject: 'portolan-sandbox-ca',
    publicKey: ca.publicKey,
    issuer: 'portolan-sandbox-ca',
    issuerKey: ca.privateKey,
    issuerPublicKey: ca.publicKey,
    isCA: true,
    days: 3650,
  });
  const cert = issue({
    subject: 'portolan-sandbox',
    publicKey: srv.publicKey,
    issuer: 'portolan-sandbox-ca',
    issuerKey: ca.privateKey,
    issuerPublicKey: ca.publicKey,
    isCA: false,
    days: 3650,
  });
  const pem = (k: KeyObject) => k.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { caCert, caKey: pem(ca.privateKey), cert, key: pem(srv.privateKey) };
}

/** True when the PEM key parses (used to validate persisted TLS material). */
export function keyParses(pem: string): boolean {
  try {
    createPrivateKey(pem);
    return true;
  } catch {
    return false;
  }
}
