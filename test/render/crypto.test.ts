// Sprig's certificate, key, password and encoding functions and Helm's toToml, checked against what Helm 4.1.4 makes:
// certificates that node's X509Certificate reads with the names and dates asked for, laid out as Go's x509 lays them
// out, keys in Sprig's PEM formats, and byte-equal outputs (AES both ways, derivePassword, toToml) from fixtures.
import {
  X509Certificate,
  createPrivateKey,
  createPublicKey,
  privateDecrypt,
  publicEncrypt,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import bcryptjs from 'bcryptjs';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { renderChart } from '../../src/render/index.js';
import { cryptoHelpers } from '../../src/render/helpers/crypto.js';
import { rsaPrivateKey } from '../../src/render/helpers/certificates.js';
import { encodeToml } from '../../src/render/helpers/toml.js';
import { prepareChart } from '../../src/values/index.js';
import { chartFrom, userValues } from '../helpers/charts.js';

type Pair = { Cert: string; Key: string };
const call = (name: string, ...args: unknown[]): unknown =>
  (cryptoHelpers[name] as (...a: unknown[]) => unknown)(...args);
const pair = (name: string, ...args: unknown[]): Pair => call(name, ...args) as Pair;
const DAY = 24 * 3600 * 1000;

/** Days between the certificate's start and end, and how far its start is from now. */
function validity(cert: X509Certificate): { days: number; startsAgo: number } {
  const from = Date.parse(cert.validFrom);
  return { days: Math.round((Date.parse(cert.validTo) - from) / DAY), startsAgo: Date.now() - from };
}

function keyOf(pem: string): KeyObject {
  return createPrivateKey(pem);
}

/**
 * The layout of a DER certificate without its varying bytes (serial, times, keys, signature, key identifiers): every
 * tag, every OID and BOOLEAN, and the insides of extension values. Equal outlines mean the same fields in the same
 * order with the same criticality and encodings.
 */
function outline(der: string): string {
  const walk = (node: forge.asn1.Asn1): string => {
    const tag = `${node.tagClass}:${node.type}`;
    if (Array.isArray(node.value)) return `${tag}(${node.value.map(walk).join(' ')})`;
    if (node.tagClass === forge.asn1.Class.UNIVERSAL && node.type === forge.asn1.Type.OID)
      return `oid:${forge.asn1.derToOid(forge.util.createBuffer(node.value))}`;
    if (node.tagClass === forge.asn1.Class.UNIVERSAL && node.type === forge.asn1.Type.BOOLEAN)
      return `bool:${node.value.charCodeAt(0)}`;
    if (node.tagClass === forge.asn1.Class.UNIVERSAL && node.type === forge.asn1.Type.OCTETSTRING) {
      try {
        return `octets[${walk(forge.asn1.fromDer(node.value, true))}]`;
      } catch {
        return 'octets';
      }
    }
    return tag;
  };
  return walk(
    (forge.asn1 as unknown as { fromDer(b: string, o: object): forge.asn1.Asn1 }).fromDer(der, {
      strict: true,
      decodeBitStrings: false,
    }),
  );
}
const derOf = (pem: string) => forge.util.decode64(pem.replace(/-----[A-Z ]+-----|\s/g, ''));

// Made by helm 4.1.4: `{{ $ca := genCA "my-ca" 365 }}` and
// `{{ genSignedCert "svc.example" (list "10.0.0.1" "::1") (list "a.example" "b.example") 30 $ca }}`.
const HELM_CA = [
  '-----BEGIN CERTIFICATE-----',
  'MIIDCzCCAfOgAwIBAgIQO7WgLOb7ovltNgVSZpkVLzANBgkqhkiG9w0BAQsFADAQ',
  'MQ4wDAYDVQQDEwVteS1jYTAeFw0yNjEyMDMwODQ0MjZaFw0yNzEyMDMwODQ0MjZa',
  'MBAxDjAMBgNVBAMTBW15LWNhMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKC',
  'AQEAsW1ZXL3nmRVJj2lKCSkzlBiUS/++BF1Dd+ysNTXyszNVwxxtTyoENavBcx/H',
  'u3aIQhXo3SsubH9rlvKzrmlOQ+QdWjUEYJ22YhejC7B16O5aWaNiKi/4Bdvblf5c',
  '7Gx0bvS37wUbjECoqRllA0SBTJR9xcnbsGCuHxh9nXCgoJJvFrsTP+rx0/QXSKZK',
  'XDGr8NWhHQYk6ScMJBKBYSB0WCGgt+D1oXmBz2bZFPIFfAGKl6XXaI13dkvpvvS9',
  'gWP7J70NYQTEXHGeJBaMMZnf1Dc1uSaIdgt0ISWnh4/J9UDcRbrSg+dHQflhvg+z',
  '7mioSnhVSYyBJv3jNeRk+9YZ/wIDAQABo2EwXzAOBgNVHQ8BAf8EBAMCAqQwHQYD',
  'VR0lBBYwFAYIKwYBBQUHAwEGCCsGAQUFBwMCMA8GA1UdEwEB/wQFMAMBAf8wHQYD',
  'VR0OBBYEFIX7vqJoIU+RefnwOvaNrx4whVgiMA0GCSqGSIb3DQEBCwUAA4IBAQAe',
  '0yrxmTYwPPZE14Xp1X470eCSdHDp2wnlyUNxrcyWalp2OvyyGNctzhOB0ph1BFXo',
  'qkmjUeyNJFiDG7P0BdjGEK1cC+WL0WeRdDSxPjbC/N+yKgsyFbJ0ZNHM6WL4pZef',
  'qGqomMXNtnxTMMHN0t5wc5REPuHH8F5NNhiRF5w9lRizBy6SOVzSwep7gcLb9a2E',
  'x6GKJW49TJNy90wYMqYkVnckjnL+ZlKLwfnQuz4MUj7S4cZbdAzFVc+ina6oTN/5',
  'ku3IBEnPa/jmpZTP4Kckrx4nAVAXTlXv802YyLt4nns9G0Nw6unPeI8NhI7v3pzD',
  'z+9J4XDqsMwIOWiBkT6q',
  '-----END CERTIFICATE-----',
].join('\n');
const HELM_SIGNED = [
  '-----BEGIN CERTIFICATE-----',
  'MIIDSzCCAjOgAwIBAgIQVHhnvtMIOBS0LGG1JWuinDANBgkqhkiG9w0BAQsFADAQ',
  'MQ4wDAYDVQQDEwVteS1jYTAeFw0yNjEyMDMwODQ0MjZaFw0yNzAxMDIwODQ0MjZa',
  'MBYxFDASBgNVBAMTC3N2Yy5leGFtcGxlMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A',
  'MIIBCgKCAQEAvZJ957azYP9vuskTvtctVJxkfx18jHvBv3qm/GOGEetxxIJ4kBMS',
  'HCRK5oij5wEogXAnKiwlU6JiM0bVmrcnkYWEIv4sYohmC17fVq3TZyoPfVLqmB6f',
  'SbVRP4csqOInt9eYmUUYIvru/RHp+EhYru9z4oqRz8H1Y6hJGTqfrSPh84c3jBsv',
  'KueQGeugjKEtL/uEXeJekSsUfgocyFGpCF/kO0NOB7rl89JeXYl+jVXQQXBuabe1',
  'B/FVXM0BpmbjiGhksIDFqkm/Dv9wLmv5CxcLIPX3zYxs8kDASwuvxG3j47DNSngv',
  'pWl7DZhdWlsc/xjzTFllNTCW4WiD3exYBwIDAQABo4GaMIGXMA4GA1UdDwEB/wQE',
  'AwIFoDAdBgNVHSUEFjAUBggrBgEFBQcDAQYIKwYBBQUHAwIwDAYDVR0TAQH/BAIw',
  'ADAfBgNVHSMEGDAWgBSF+76iaCFPkXn58Dr2ja8eMIVYIjA3BgNVHREEMDAugglh',
  'LmV4YW1wbGWCCWIuZXhhbXBsZYcECgAAAYcQAAAAAAAAAAAAAAAAAAAAATANBgkq',
  'hkiG9w0BAQsFAAOCAQEADbe6ZFS4GkWs3kZEwKfGJ9Smv3LSLWzzuNKVuklYx611',
  'YO12Pq9m70fEp1tygvI0WO6x19yWaEEACZEaaXMJc1lfKh/xcDcUsbVEUV49Ffn3',
  'XyZmz8L/rgi6THcFJ/QjiL/MajBPIUA0mPRw2o2xALbOPB5LxzXC9Wl+7mm779lf',
  '/c4i/XK/pic+7arMHd+5/HjmuEQy6FmnWbuF3TcQ4A7A7xx3F3Wf7WhMqSG0VvSy',
  'nyWfBrDtv4xiJ52RLkCs6JYmNadhiU23sDuIMl1dwsWlxmtD2oCBldJEOXfSmGqV',
  'JoM41+Z9qlpClhYVJDzbUTedHCjGFcYhQNhEJuNcUA==',
  '-----END CERTIFICATE-----',
].join('\n');

describe('certificates', () => {
  it('genCA makes a self-signed RSA 2048 CA with the name and lifetime asked for, and its key in PKCS#1', () => {
    const ca = pair('genCA', 'my-ca', 365n);
    const cert = new X509Certificate(ca.Cert);
    expect(cert.subject).toBe('CN=my-ca');
    expect(cert.issuer).toBe('CN=my-ca');
    expect(cert.ca).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(validity(cert).days).toBe(365);
    expect(validity(cert).startsAgo).toBeLessThan(60_000);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    expect(ca.Key).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(keyOf(ca.Key).asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(cert.checkPrivateKey(keyOf(ca.Key))).toBe(true);
  });

  it('genSignedCert makes a certificate the CA signed, with the DNS names and IPs as SANs', () => {
    const ca = pair('genCA', 'my-ca', 365);
    const signed = pair(
      'genSignedCert',
      'svc.example',
      ['10.0.0.1', '::1', '::ffff:1.2.3.4'],
      ['a.example', 'b.example'],
      30,
      ca,
    );
    const cert = new X509Certificate(signed.Cert);
    const caCert = new X509Certificate(ca.Cert);
    expect(cert.subject).toBe('CN=svc.example');
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.ca).toBe(false);
    // Go writes an IPv4-mapped IPv6 address as the IPv4 address.
    expect(cert.subjectAltName).toBe(
      'DNS:a.example, DNS:b.example, IP Address:10.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:1.2.3.4',
    );
    expect(validity(cert).days).toBe(30);
    expect(cert.checkPrivateKey(keyOf(signed.Key))).toBe(true);
    expect(cert.checkHost('b.example')).toBe('b.example');
  });

  it('lays out a CA and a signed certificate field for field as Helm does', () => {
    const ca = pair('genCA', 'my-ca', 365);
    const signed = pair('genSignedCert', 'svc.example', ['10.0.0.1', '::1'], ['a.example', 'b.example'], 30, ca);
    expect(outline(derOf(ca.Cert))).toBe(outline(derOf(HELM_CA)));
    expect(outline(derOf(signed.Cert))).toBe(outline(derOf(HELM_SIGNED)));
  });

  it('links a signed certificate to its CA by key identifier, computed as Go 1.25 does', () => {
    const ca = new X509Certificate(HELM_CA);
    const signed = new X509Certificate(HELM_SIGNED);
    expect(signed.verify(ca.publicKey)).toBe(true);
    const ours = pair('genCA', 'my-ca', 1);
    // The identifier is the SHA-256 of the public key's bits, cut to 20 bytes (Helm's CA above carries one made so).
    const bits = new X509Certificate(ours.Cert).publicKey.export({ type: 'pkcs1', format: 'der' });
    const expected = forge.md.sha256.create().update(bits.toString('binary')).digest().toHex().slice(0, 40);
    expect(forge.util.bytesToHex(derOf(ours.Cert))).toContain(`0414${expected}`);
  });

  it('genSelfSignedCert makes a certificate that signs itself, with no SANs when none are given', () => {
    const self = pair('genSelfSignedCert', 'self', null, null, 10);
    const cert = new X509Certificate(self.Cert);
    expect(cert.issuer).toBe('CN=self');
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.subjectAltName).toBeUndefined();
    expect(validity(cert).days).toBe(10);
  });

  it("the *WithKey forms use the key given, of any type Sprig reads, and return it in Sprig's format", () => {
    const ecKey = call('genPrivateKey', 'ecdsa') as string;
    const ca = pair('genCAWithKey', 'ec-ca', 10, ecKey);
    expect(ca.Key).toBe(ecKey);
    expect(new X509Certificate(ca.Cert).publicKey.asymmetricKeyType).toBe('ec');
    const edKey = call('genPrivateKey', 'ed25519') as string;
    const signed = pair('genSignedCertWithKey', '', ['1.2.3.4'], [], 5, ca, edKey);
    const cert = new X509Certificate(signed.Cert);
    expect(cert.verify(new X509Certificate(ca.Cert).publicKey)).toBe(true);
    expect(cert.publicKey.asymmetricKeyType).toBe('ed25519');
    expect(signed.Key).toBe(edKey);
    // A PKCS#8 RSA key comes back as PKCS#1, as Sprig writes RSA keys.
    const pkcs8 = keyOf(call('genPrivateKey', 'rsa') as string).export({ type: 'pkcs8', format: 'pem' }) as string;
    const self = pair('genSelfSignedCertWithKey', 'k', [], ['k.example'], 1, pkcs8);
    expect(self.Key).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    expect(new X509Certificate(self.Cert).checkPrivateKey(keyOf(pkcs8))).toBe(true);
  });

  it("refuses bad IPs, non-string names and keys that are not PEM, with Sprig's messages", () => {
    expect(() => call('genSelfSignedCert', 'x', ['1.2.3'], null, 1)).toThrow('error parsing ip: 1.2.3');
    expect(() => call('genSelfSignedCert', 'x', [1], null, 1)).toThrow('error parsing ip: 1 is not a string');
    expect(() => call('genSelfSignedCert', 'x', null, [true], 1)).toThrow(
      'error processing alternate dns name: true is not a string',
    );
    expect(() => call('genCAWithKey', 'x', 1, 'nope')).toThrow('parsing private key: no PEM data in input');
    expect(() => call('genSignedCert', 'x', null, null, 1, { Cert: 'x', Key: 'y' })).toThrow(
      'unable to decode certificate',
    );
    const ca = pair('genCA', 'a', 1);
    const other = pair('genCA', 'b', 1);
    expect(() => call('genSignedCert', 'x', null, null, 1, { Cert: ca.Cert, Key: other.Key })).toThrow(
      "provided PrivateKey doesn't match parent's PublicKey",
    );
    // Go's x509 signs with RSA, ECDSA and Ed25519 keys only.
    expect(() => call('genCAWithKey', 'x', 1, call('genPrivateKey', 'dsa'))).toThrow(
      'error creating certificate: x509: certificate private key does not implement crypto.Signer',
    );
  });

  it("prints the dict as Go prints Sprig's certificate struct, {cert key}, and keeps only Cert and Key as keys", () => {
    const ca = pair('genCA', 'x', 1);
    expect(Object.keys(ca)).toEqual(['Cert', 'Key']);
    expect(String(ca)).toBe(`{${ca.Cert} ${ca.Key}}`);
  });

  it('buildCustomCert checks a base64 certificate and key and returns them as the dict', () => {
    const ca = pair('genCA', 'x', 1);
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    const built = pair('buildCustomCert', b64(ca.Cert), b64(ca.Key));
    expect(built).toEqual({ Cert: ca.Cert, Key: ca.Key });
    expect(() => call('buildCustomCert', 'eA==', 'eA==')).toThrow('unable to decode certificate');
    expect(() => call('buildCustomCert', 'not base64!', 'eA==')).toThrow('unable to decode base64 certificate');
    expect(() => call('buildCustomCert', b64(ca.Cert), b64('junk'))).toThrow(
      'error parsing private key: no PEM data in input',
    );
  });
});

describe('genPrivateKey', () => {
  it.each([
    ['rsa', 'RSA PRIVATE KEY', 'rsa'],
    ['', 'RSA PRIVATE KEY', 'rsa'],
    ['dsa', 'DSA PRIVATE KEY', 'dsa'],
    ['ecdsa', 'EC PRIVATE KEY', 'ec'],
    ['ed25519', 'PRIVATE KEY', 'ed25519'],
  ])("makes a %j key under Sprig's PEM header %s", (type, header, keyType) => {
    const pem = call('genPrivateKey', type) as string;
    expect(pem.startsWith(`-----BEGIN ${header}-----\n`)).toBe(true);
    expect(pem.endsWith(`-----END ${header}-----\n`)).toBe(true);
    const key = keyOf(pem);
    expect(key.asymmetricKeyType).toBe(keyType);
    if (keyType === 'rsa') expect(key.asymmetricKeyDetails?.modulusLength).toBe(4096);
    if (keyType === 'dsa') expect(key.asymmetricKeyDetails).toMatchObject({ modulusLength: 2048, divisorLength: 256 });
    if (keyType === 'ec') expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });

  it('answers an unknown type with text, as Sprig does', () => {
    expect(call('genPrivateKey', 'foo')).toBe('Unknown type foo');
  });
});

describe('passwords', () => {
  it("htpasswd writes user:bcrypt-hash with Go's $2a$ prefix and cost 10, and the password verifies", () => {
    const line = call('htpasswd', 'user', 'pass') as string;
    expect(line).toMatch(/^user:\$2a\$10\$[./A-Za-z0-9]{53}$/);
    expect(bcryptjs.compareSync('pass', line.slice('user:'.length))).toBe(true);
    expect(bcryptjs.compareSync('wrong', line.slice('user:'.length))).toBe(false);
    expect(call('htpasswd', 'a:b', 'p')).toBe('invalid username: a:b');
  });

  it("bcrypt refuses passwords longer than 72 bytes with Helm's text instead of cutting them", () => {
    expect(bcryptjs.compareSync('secret', call('bcrypt', 'secret') as string)).toBe(true);
    expect(call('bcrypt', 'x'.repeat(73))).toBe(
      'failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes',
    );
  });

  // Outputs of helm 4.1.4 for the same arguments.
  it.each([
    [1, 'long', 'password', 'user', 'example.com', 'ZedaFaxcZaso9*'],
    [3n, 'maximum', 'secret', 'alice', 'site.org', 'D4,bqGk^ySbrx1B!afDE'],
    [0, 'pin', 'p', '', '', '8457'],
    [2, 'basic', 'päss', 'ünïcode', 'x', 'BbE98HKp'],
    [1, 'medium', 'a', 'b', 'c', 'NamNij2@'],
    [1, 'short', 'a', 'b', 'c', 'Nam6'],
    [4294967295, 'long', 'a', 'b', 'c', 'TuzoFenuFaqi2~'],
    [1, 'nope', 'a', 'b', 'c', 'cannot find password template nope'],
  ])('derivePassword %s %s %s %s %s is %s, as Helm gives', (counter, type, password, user, site, expected) => {
    expect(call('derivePassword', counter, type, password, user, site)).toBe(expected);
  });
});

describe('AES', () => {
  // Ciphertexts made by helm 4.1.4's encryptAES (random IVs), and ours that helm's decryptAES read back.
  const fromHelm: Array<[string, string, string]> = [
    ['secretkey', 'ZkKdjgOtFuMAcANlumPWbfFrFmz60fYFSFyuWH/7Plg=', 'hello world'],
    [
      'a-key-that-is-longer-than-thirty-two-bytes!',
      'AwQVD1WKvwOuCUHXElsNNwBV3vK3I+2zqcsYw23upA0h/wufjV2+aEJsKcL1qYih',
      'exactly16bytes!!',
    ],
    ['', 'rxr41DtD5jMcTCaAPXwowo8dUplCHJ3MEmoBOiWKLCQ=', 'ü'],
  ];
  const readByHelm: Array<[string, string, string]> = [
    ['secretkey', 'DQAD3XqfXqoPR+DhKmToA2KNK90Dfq1q2dohQgssLYI=', 'hello world'],
    [
      'a-key-that-is-longer-than-thirty-two-bytes!',
      'rpYjSkX5p7LCZp9Jdnus0582shFCX3C2IwVJGcrd7GNZNCdn62GZiGUU2o1Hu3sN',
      'exactly16bytes!!',
    ],
    ['', '/Id49SyhhE8YxkeZ6Jvbs52amyw5o3gDsFwQy0wpEIU=', 'ü'],
  ];

  it.each(fromHelm)('decryptAES reads what helm encrypted with key %j', (key, encrypted, plain) => {
    expect(call('decryptAES', key, encrypted)).toBe(plain);
  });

  it.each(readByHelm)('encryptAES with key %j writes what helm decrypts', (key, encrypted, plain) => {
    expect(call('decryptAES', key, encrypted)).toBe(plain);
    const ours = call('encryptAES', key, plain) as string;
    expect(Buffer.from(ours, 'base64')).toHaveLength(Buffer.from(encrypted, 'base64').length);
    expect(ours).not.toBe(call('encryptAES', key, plain));
    expect(call('decryptAES', key, ours)).toBe(plain);
  });

  it('keeps the empty string empty both ways and refuses text that is not AES-CBC output', () => {
    expect(call('encryptAES', 'k', '')).toBe('');
    expect(call('decryptAES', 'k', '')).toBe('');
    expect(() => call('decryptAES', 'k', 'abc')).toThrow(/illegal base64/);
    expect(() => call('decryptAES', 'k', 'YWJj')).toThrow(/16-byte IV/);
  });
});

describe('toToml', () => {
  it('writes a values file as Helm does, every number a float64', () => {
    const values = {
      name: 'web',
      port: 8080,
      ratio: 1.5,
      big: 1000000,
      neg: -3,
      true: true,
      nothing: null,
      empty: '',
      date: '2024-01-02',
      list: ['b', 'a'],
      nums: [1, 2.5],
      mixed: [1, 'a', true],
      nested: { x: { true: 1, z: 'q' }, a: 2 },
      servers: [
        { host: 'h1', port: 1 },
        { host: 'h2', port: 2 },
      ],
      emptyMap: {},
      emptyList: [],
      text: 'line1\nline2 "q" \\ tab\t é 😀 \u0001',
      'key with space': 1,
      'dotted.key': 2,
      '': 3,
      listOfLists: [[1, 2], ['a']],
      nestedEmpty: { a: {} },
    };
    expect(encodeToml(values, () => 'float')).toBe(
      [
        '"" = 3.0',
        'big = 1e+06',
        'date = "2024-01-02"',
        '"dotted.key" = 2.0',
        'empty = ""',
        'emptyList = []',
        '"key with space" = 1.0',
        'list = ["b", "a"]',
        'listOfLists = [[1.0, 2.0], ["a"]]',
        'mixed = [1.0, "a", true]',
        'name = "web"',
        'neg = -3.0',
        'nums = [1.0, 2.5]',
        'port = 8080.0',
        'ratio = 1.5',
        'text = "line1\\nline2 \\"q\\" \\\\ tab\\t é 😀 \\u0001"',
        'true = true',
        '',
        '[emptyMap]',
        '',
        '[nested]',
        '  a = 2.0',
        '  [nested.x]',
        '    true = 1.0',
        '    z = "q"',
        '',
        '[nestedEmpty]',
        '  [nestedEmpty.a]',
        '',
        '[[servers]]',
        '  host = "h1"',
        '  port = 1.0',
        '',
        '[[servers]]',
        '  host = "h2"',
        '  port = 2.0',
        '',
      ].join('\n'),
    );
  });

  it("spells floats as Go's strconv does", () => {
    // `big` is 12345678901234567890 in the values file, which Helm reads as this float64.
    const floats = {
      f: 0.1,
      g: 1e21,
      h: 1e-7,
      i: 100000000,
      j: -0,
      big: 12345678901234567e3,
      exp: 2e10,
      small: 0.000001,
    };
    expect(encodeToml(floats, () => 'float')).toBe(
      'big = 1.2345678901234567e+19\nexp = 2e+10\nf = 0.1\ng = 1e+21\nh = 1e-07\ni = 1e+08\nj = -0.0\nsmall = 1e-06\n',
    );
  });

  // Outputs of helm 4.1.4 for `toToml (dict …)` with the same literals (Go ints, here bigints).
  it.each([
    [
      { a: 1n, b: 'x', c: [1n, 2n], d: { e: 1.5, f: true } },
      'a = 1\nb = "x"\nc = [1, 2]\n\n[d]\n  e = 1.5\n  f = true\n',
    ],
    [
      { z: { y: {} }, a: [{ k: 1n }, { k: 2n }], m: [] },
      'm = []\n\n[[a]]\n  k = 1\n\n[[a]]\n  k = 2\n\n[z]\n  [z.y]\n',
    ],
    [{ arr: [[{ a: 1n }]] }, 'arr = [[{a = 1}]]\n'],
    [
      { t: { 'a.b': { 'c d': [{ x: 1n }, { y: { z: 2n } }], q: 1n } } },
      '[t]\n  [t."a.b"]\n    q = 1\n\n    [[t."a.b"."c d"]]\n      x = 1\n\n    [[t."a.b"."c d"]]\n      [t."a.b"."c d".y]\n        z = 2\n',
    ],
    [{ mix: [{ a: 1n }, 2n], e: [{}, {}] }, 'mix = [{a = 1}, 2]\n\n[[e]]\n\n[[e]]\n'],
    [{ inl: [{ b: { c: 1n }, a: [1n], z: null }] }, '[[inl]]\n  a = [1]\n  [inl.b]\n    c = 1\n'],
    [{ a: { b: null }, c: null }, '[a]\n'],
    [{ é: 1n, Z: 2n, a: 3n, _: 4n, '-': 5n, '1': 6n }, '- = 5\n1 = 6\nZ = 2\n_ = 4\na = 3\n"é" = 1\n'],
    [{ d: new Date('2024-02-03T00:00:00Z') }, 'd = 2024-02-03T00:00:00Z\n'],
    [[1n, 2n], '[1, 2]'],
    ['str', '"str"'],
    [{}, ''],
    [[1n, null], 'toml: cannot encode array with nil element'],
    [{ a: [1n, null] }, 'toml: cannot encode array with nil element'],
    [[{ a: 1n }], 'toml: top-level values must be Go maps or structs'],
  ])('writes case %# as Helm does', (value, expected) => {
    expect(call('toToml', value)).toBe(expected);
  });

  it('keeps integers as written in handlebars templates', () => {
    expect(call('toToml', { port: 8080, ratio: 1.5 })).toBe('port = 8080\nratio = 1.5\n');
  });

  it('fromToml reads a document, integers as Go ints, and puts a parse error under Error', () => {
    expect(call('fromToml', 'a = 1\n[t]\nx = "y"\n')).toEqual({ a: 1n, t: { x: 'y' } });
    expect((call('fromToml', 'a = = 1') as { Error: string }).Error).toMatch(/./);
  });
});

describe('getHostByName', () => {
  it('answers "" for every name, as helm template does without --enable-dns, and never looks anything up', () => {
    expect(call('getHostByName', 'localhost')).toBe('');
    expect(call('getHostByName', '127.0.0.1')).toBe('');
    expect(call('getHostByName', 'example.com')).toBe('');
  });
});

describe('through the engine', () => {
  it('renders a TLS Secret from genCA and genSignedCert in a handlebars template', async () => {
    const template = [
      '{{#with (genCA "my-ca" 365)}}',
      'ca.crt: {{ b64enc .Cert }}',
      'tls.crt: {{ b64enc (genSignedCert "web" (list "10.0.0.1") (list "web.ns.svc") 30 .).Cert }}',
      '{{/with}}',
      'direct: {{ (genCA "other" 1).Cert | len }}',
    ].join('\n');
    const chart = chartFrom({ 'templates/NOTES.txt': template });
    const prepared = prepareChart(chart, await userValues({}));
    const notes = renderChart(prepared.chart, prepared.values, { releaseName: 'rel' }).notes;
    const field = (name: string) =>
      Buffer.from(new RegExp(`${name}: (\\S+)`).exec(notes)?.[1] ?? '', 'base64').toString();
    const ca = new X509Certificate(field('ca.crt'));
    const tls = new X509Certificate(field('tls.crt'));
    expect(ca.subject).toBe('CN=my-ca');
    expect(tls.subjectAltName).toBe('DNS:web.ns.svc, IP Address:10.0.0.1');
    expect(tls.verify(ca.publicKey)).toBe(true);
    expect(Number(/direct: (\d+)/.exec(notes)?.[1])).toBeGreaterThan(1000);
  });

  it('renders the same in a Go template, where values numbers are float64s in TOML as Helm writes them', async () => {
    const template = [
      '{{- $ca := genCA "my-ca" 365 }}',
      '{{- $tls := genSignedCert "web" (list "10.0.0.1") (list "web.ns.svc") 30 $ca }}',
      'ca.crt: {{ $ca.Cert | b64enc }}',
      'tls.crt: {{ $tls.Cert | b64enc }}',
      'toml: {{ toToml .Values | b64enc }}',
      'password: {{ derivePassword 1 "long" "password" "user" "example.com" }}',
    ].join('\n');
    const chart = chartFrom({ 'values.yaml': 'port: 8080\nratio: 1.5\n', 'templates/NOTES.txt': template });
    const prepared = prepareChart(chart, await userValues({}));
    const notes = renderChart(prepared.chart, prepared.values, { releaseName: 'rel' }).notes;
    const field = (name: string) =>
      Buffer.from(new RegExp(`${name}: (\\S+)`).exec(notes)?.[1] ?? '', 'base64').toString();
    expect(new X509Certificate(field('tls.crt')).verify(new X509Certificate(field('ca.crt')).publicKey)).toBe(true);
    expect(field('toml')).toBe('port = 8080.0\nratio = 1.5\n');
    expect(notes).toContain('password: ZedaFaxcZaso9*');
  });
});

describe('RSA keys from two primes', () => {
  // 4096 bits (genPrivateKey's size) is checked by the genPrivateKey test above; 2048 keeps this test quick.
  it('makes a consistent 2048-bit key with e = 65537 that signs, verifies and decrypts', () => {
    const bits = 2048;
    const key = rsaPrivateKey(bits);
    const details = key.asymmetricKeyDetails;
    expect(details?.modulusLength).toBe(bits);
    expect(details?.publicExponent).toBe(65537n);
    const publicKey = createPublicKey(key);
    const signature = sign('sha256', Buffer.from('portolan'), key);
    expect(verify('sha256', Buffer.from('portolan'), publicKey, signature)).toBe(true);
    expect(privateDecrypt(key, publicEncrypt(publicKey, Buffer.from('secret'))).toString()).toBe('secret');
    // The CRT values agree with d (OpenSSL reads them as given): d mod (p-1), d mod (q-1), q^-1 mod p.
    const jwk = key.export({ format: 'jwk' });
    const big = (field: string | undefined) => BigInt(`0x${Buffer.from(field ?? '', 'base64url').toString('hex')}`);
    const [p, q, d] = [big(jwk.p), big(jwk.q), big(jwk.d)];
    expect(p * q).toBe(big(jwk.n));
    expect(big(jwk.dp)).toBe(d % (p - 1n));
    expect(big(jwk.dq)).toBe(d % (q - 1n));
    expect((big(jwk.qi) * q) % p).toBe(1n);
    expect((d * 65537n) % (((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n))).toBe(1n);
  });

  it('gives a new key each time', () => {
    const pem = () => rsaPrivateKey(2048).export({ type: 'pkcs1', format: 'pem' });
    expect(pem()).not.toBe(pem());
  });
});

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}
