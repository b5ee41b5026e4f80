// Sprig's certificate, key, password and encoding functions (genCA, genPrivateKey, htpasswd, encryptAES,
// derivePassword, …) and Helm's toToml/fromToml, each as Sprig v3.3 / Helm 4 define them. Pure except for
// randomness (keys, serials, salts, IVs).
import type Bcrypt from 'bcryptjs';
import { lazyModule, nodeCrypto } from '../../lazy-modules.js';
import { parse as parseToml } from 'smol-toml';
import {
  buildCustomCertificate,
  createCertificate,
  generatePrivateKey,
  newCertificateKey,
  parsePrivateKeyPem,
  readCertificateAuthority,
  type CertificateTemplate,
} from './certificates.js';
import { isGoStyle, strval, toInt64 } from './go.js';
import { TomlEncodeError, encodeToml } from './toml.js';
import type { HelperFn } from './strings.js';

// ---- certificates

function template(
  commonName: unknown,
  ips: unknown,
  dnsNames: unknown,
  days: unknown,
  isCA: boolean,
): CertificateTemplate {
  return { commonName: strval(commonName), ips, dnsNames, days: toInt64(days), isCA };
}

/** The *WithKey forms take a PEM key in any layout Sprig reads. */
function givenKey(pem: unknown) {
  try {
    return parsePrivateKeyPem(strval(pem));
  } catch (error) {
    throw new Error(`parsing private key: ${error instanceof Error ? error.message : String(error)}`);
  }
}

// ---- passwords

// bcryptjs (and the node:crypto it imports) loads on the first htpasswd a template asks for.
const bcryptjs = lazyModule<typeof Bcrypt>('bcryptjs');

// Go's bcrypt refuses what it cannot hash whole; bcryptjs would silently cut the password at 72 bytes.
function bcryptHash(input: unknown): string {
  const password = strval(input);
  if (Buffer.byteLength(password) > 72)
    return 'failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes';
  // Go writes the $2a$ prefix; the hash is the same as bcryptjs's $2b$ for passwords of this length.
  const salt = bcryptjs()
    .genSaltSync(10)
    .replace(/^\$2b\$/, '$2a$');
  return bcryptjs().hashSync(password, salt);
}

function htpasswd(user: unknown, password: unknown): string {
  const name = strval(user);
  if (name.includes(':')) return `invalid username: ${name}`;
  return `${name}:${bcryptHash(password)}`;
}

// The Master Password algorithm (v3) as Sprig writes it: scrypt of the password salted with the user, an HMAC of
// the site and counter, then a template of character classes chosen by the HMAC's bytes.
const MASTER_PASSWORD_SEED = 'com.lyndir.masterpassword';
const PASSWORD_TEMPLATES: Record<string, string[]> = {
  maximum: ['anoxxxxxxxxxxxxxxxxx', 'axxxxxxxxxxxxxxxxxno'],
  long: [
    'CvcvnoCvcvCvcv',
    'CvcvCvcvnoCvcv',
    'CvcvCvcvCvcvno',
    'CvccnoCvcvCvcv',
    'CvccCvcvnoCvcv',
    'CvccCvcvCvcvno',
    'CvcvnoCvccCvcv',
    'CvcvCvccnoCvcv',
    'CvcvCvccCvcvno',
    'CvcvnoCvcvCvcc',
    'CvcvCvcvnoCvcc',
    'CvcvCvcvCvccno',
    'CvccnoCvccCvcv',
    'CvccCvccnoCvcv',
    'CvccCvccCvcvno',
    'CvcvnoCvccCvcc',
    'CvcvCvccnoCvcc',
    'CvcvCvccCvccno',
    'CvccnoCvcvCvcc',
    'CvccCvcvnoCvcc',
    'CvccCvcvCvccno',
  ],
  medium: ['CvcnoCvc', 'CvcCvcno'],
  short: ['Cvcn'],
  basic: ['aaanaaan', 'aannaaan', 'aaannaaa'],
  pin: ['nnnn'],
};
const TEMPLATE_CHARACTERS: Record<string, string> = {
  V: 'AEIOU',
  C: 'BCDFGHJKLMNPQRSTVWXYZ',
  v: 'aeiou',
  c: 'bcdfghjklmnpqrstvwxyz',
  A: 'AEIOUBCDFGHJKLMNPQRSTVWXYZ',
  a: 'AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz',
  n: '0123456789',
  o: "@&%?,=[]_:-+*$#!'^~;()/.",
  x: 'AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()',
};

function uint32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value);
  return out;
}

function derivePassword(
  counterValue: unknown,
  passwordType: unknown,
  password: unknown,
  user: unknown,
  site: unknown,
): string {
  const templates = PASSWORD_TEMPLATES[strval(passwordType)];
  if (!templates) return `cannot find password template ${strval(passwordType)}`;
  // Go's template engine refuses a counter that does not fit the function's uint32 parameter.
  const counter = toInt64(counterValue);
  if (counter < 0 || counter > 0xffffffff)
    throw new Error(`the counter must be between 0 and 4294967295, got ${counter}`);
  const seed = Buffer.from(MASTER_PASSWORD_SEED);
  const userBytes = Buffer.from(strval(user));
  const siteBytes = Buffer.from(strval(site));
  const salt = Buffer.concat([seed, uint32(userBytes.length), userBytes]);
  // N = 32768, r = 8 needs 32 MiB, more than node's default allowance.
  const key = nodeCrypto().scryptSync(Buffer.from(strval(password)), salt, 64, {
    N: 32768,
    r: 8,
    p: 2,
    maxmem: 256 * 1024 * 1024,
  });
  const mac = nodeCrypto()
    .createHmac('sha256', key)
    .update(Buffer.concat([seed, uint32(siteBytes.length), siteBytes, uint32(counter)]))
    .digest();
  const chosen = templates[(mac[0] as number) % templates.length] as string;
  return [...chosen]
    .map((cls, index) => {
      const characters = TEMPLATE_CHARACTERS[cls] as string;
      return characters[(mac[index + 1] as number) % characters.length];
    })
    .join('');
}

// ---- AES

/** Sprig's key: the password's bytes in a 32-byte buffer, cut or zero-filled, so AES-256. */
function aesKey(password: unknown): Buffer {
  const key = Buffer.alloc(32);
  Buffer.from(strval(password)).copy(key);
  return key;
}

/** AES-256-CBC, PKCS#7 padding, a random IV in front, base64: what Sprig's decryptAES (and ours) reads back. */
function encryptAES(password: unknown, plaintext: unknown): string {
  const text = strval(plaintext);
  if (text === '') return '';
  const iv = nodeCrypto().randomBytes(16);
  const cipher = nodeCrypto().createCipheriv('aes-256-cbc', aesKey(password), iv);
  return Buffer.concat([iv, cipher.update(text, 'utf8'), cipher.final()]).toString('base64');
}

function decryptAES(password: unknown, encrypted: unknown): string {
  const text = strval(encrypted);
  if (text === '') return '';
  // Go's StdEncoding: padded, no stray characters.
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text))
    throw new Error('illegal base64 data in the encrypted text');
  const data = Buffer.from(text, 'base64');
  if (data.length < 32 || data.length % 16 !== 0)
    throw new Error(`the encrypted text is ${data.length} bytes: AES-CBC needs a 16-byte IV and whole 16-byte blocks`);
  const decipher = nodeCrypto().createDecipheriv('aes-256-cbc', aesKey(password), data.subarray(0, 16));
  // Sprig drops as many bytes as the last one says without checking the padding (a wrong key gives garbage, not an
  // error).
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(data.subarray(16)), decipher.final()]);
  const padding = plain[plain.length - 1] as number;
  if (padding > plain.length)
    throw new Error(`the decrypted padding (${padding} bytes) is longer than the text: wrong key?`);
  return plain.subarray(0, plain.length - padding).toString('utf8');
}

// ---- TOML

/** Helm's toToml: the document, or the encoder's error message in its place. */
function toToml(value: unknown): string {
  // Helm reads values files' numbers as float64 (`8080.0` in TOML); Go-dialect ints are bigints. Handlebars
  // templates keep integers as written.
  const goStyle = isGoStyle();
  try {
    return encodeToml(value, (n) => (!goStyle && Number.isInteger(n) && Math.abs(n) < 2 ** 63 ? 'int' : 'float'));
  } catch (error) {
    if (error instanceof TomlEncodeError) return error.message;
    throw error;
  }
}

/** Helm's mustToToml: the document, or a failure. */
function mustToToml(value: unknown): string {
  const goStyle = isGoStyle();
  return encodeToml(value, (n) => (!goStyle && Number.isInteger(n) && Math.abs(n) < 2 ** 63 ? 'int' : 'float'));
}

/** Helm's fromToml: a dict; the parser's error under "Error" instead of failing. Integers are Go ints (bigint). */
function fromToml(text: unknown): Record<string, unknown> {
  try {
    return parseToml(strval(text), { integersAsBigInt: true }) as Record<string, unknown>;
  } catch (error) {
    return { Error: error instanceof Error ? (error.message.split('\n')[0] as string) : String(error) };
  }
}

export const cryptoHelpers: Record<string, HelperFn> = {
  genCA: (cn, days) => createCertificate(template(cn, [], [], days, true), newCertificateKey()),
  genCAWithKey: (cn, days, key) => createCertificate(template(cn, [], [], days, true), givenKey(key)),
  genSelfSignedCert: (cn, ips, dns, days) =>
    createCertificate(template(cn, ips, dns, days, false), newCertificateKey()),
  genSelfSignedCertWithKey: (cn, ips, dns, days, key) =>
    createCertificate(template(cn, ips, dns, days, false), givenKey(key)),
  genSignedCert: (cn, ips, dns, days, ca) => {
    const signer = readCertificateAuthority(ca);
    return createCertificate(template(cn, ips, dns, days, false), newCertificateKey(), signer);
  },
  genSignedCertWithKey: (cn, ips, dns, days, ca, key) => {
    const signer = readCertificateAuthority(ca);
    return createCertificate(template(cn, ips, dns, days, false), givenKey(key), signer);
  },
  genPrivateKey: (type) => generatePrivateKey(strval(type)),
  buildCustomCert: (cert, key) => buildCustomCertificate(strval(cert), strval(key)),
  bcrypt: bcryptHash,
  htpasswd,
  derivePassword,
  encryptAES,
  decryptAES,
  randBytes: (count) =>
    nodeCrypto()
      .randomBytes(Math.max(0, toInt64(count)))
      .toString('base64'),
  toToml,
  mustToToml,
  fromToml,
  // Helm answers "" unless `--enable-dns` is given (engine.go replaces Sprig's lookup), and portolan has no such
  // flag: rendering never touches the network, so every name, even localhost or a literal IP, gives "" as in Helm.
  getHostByName: () => '',
};
