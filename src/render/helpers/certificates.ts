// Sprig's keys and certificates: genPrivateKey, genCA, genSelfSignedCert, genSignedCert (and their *WithKey forms)
// and buildCustomCert, built as Sprig builds them with Go's crypto/x509: RSA 2048 keys, a random 128-bit serial,
// validity from now, the same key usages, basic constraints and key identifiers, SANs from IPs and DNS names, keys
// written in Sprig's PEM formats. node:crypto makes keys and signs; node-forge lays out the certificate's ASN.1.
import type { KeyObject } from 'node:crypto';
import { lazyModule, nodeCrypto, nodeNet } from '../../lazy-modules.js';
import type forgeTypes from 'node-forge';
import { isDict } from './go.js';
import { randomPrime } from './primes.js';

// node-forge takes about 20 ms to load: loaded on first use, so only renders that make certificates pay for it.
const loadForge = lazyModule<typeof forgeTypes>('node-forge');
const forge = new Proxy({} as typeof forgeTypes, {
  get: (_target, key) => loadForge()[key as keyof typeof forgeTypes],
});
const asn1 = new Proxy({} as typeof forgeTypes.asn1, {
  get: (_target, key) => forge.asn1[key as keyof typeof forgeTypes.asn1],
});
type Asn1 = forgeTypes.asn1.Asn1;

/** What a certificate function returns; a template reads `.Cert` and `.Key`. */
export interface CertificatePair {
  Cert: string;
  Key: string;
}

/** forge functions its type declarations leave out. */
const forgeExtra = (): { getTBSCertificate(cert: forgeTypes.pki.Certificate): Asn1 } =>
  forge.pki as unknown as { getTBSCertificate(cert: forgeTypes.pki.Certificate): Asn1 };
const forgeAsn1 = (): { fromDer(bytes: string, options: { strict: boolean; decodeBitStrings: boolean }): Asn1 } =>
  asn1 as unknown as { fromDer(bytes: string, options: { strict: boolean; decodeBitStrings: boolean }): Asn1 };

const binary = (data: Buffer): string => data.toString('binary');
const bytes = (text: string): Buffer => Buffer.from(text, 'binary');
const toDer = (node: Asn1): Buffer => bytes(asn1.toDer(node).getBytes());
// Bit strings stay as they are: forge would otherwise decode and re-encode their contents.
const fromDer = (der: Buffer): Asn1 => forgeAsn1().fromDer(binary(der), { strict: true, decodeBitStrings: false });

/** encoding/pem's Encode: 64-character lines, `\n` line ends. */
export function pemEncode(type: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${type}-----\n${lines.map((line) => `${line}\n`).join('')}-----END ${type}-----\n`;
}

/** encoding/pem's Decode, for what templates pass: the first block in the text, its type and bytes. */
function pemDecode(text: string): { type: string; der: Buffer } | undefined {
  const match = /-----BEGIN ([^\n-]*)-----\r?\n([\s\S]*?)-----END \1-----/.exec(text);
  if (!match) return undefined;
  const body = (match[2] as string).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) return undefined;
  return { type: match[1] as string, der: Buffer.from(body, 'base64') };
}

/** An unsigned integer's DER content: big-endian, minimal, with a zero byte in front when the top bit is set. */
function unsignedDer(hex: string): string {
  let text = hex.replace(/^(00)+/, '');
  if (text.length % 2 === 1) text = `0${text}`;
  if (text === '') return '00';
  return /^[89a-f]/i.test(text) ? `00${text}` : text;
}

// ---- keys

/** Sprig's DSA key layout (OpenSSL's "DSA PRIVATE KEY"): version 0, p, q, g, y, x. */
function dsaPrivateKeyDer(key: KeyObject): Buffer {
  const pkcs8 = fromDer(key.export({ type: 'pkcs8', format: 'der' }));
  const params = ((pkcs8.value as Asn1[])[1]?.value as Asn1[])[1]?.value as Asn1[];
  const privateOctets = (pkcs8.value as Asn1[])[2]?.value as string;
  const x = fromDer(bytes(privateOctets));
  const [p, q, g] = params;
  const hexOf = (node: Asn1 | undefined) => forge.util.bytesToHex(node?.value as string);
  const BigInteger = forge.jsbn.BigInteger;
  const y = new BigInteger(hexOf(g), 16).modPow(new BigInteger(hexOf(x), 16), new BigInteger(hexOf(p), 16));
  const integer = (hex: string) =>
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, forge.util.hexToBytes(unsignedDer(hex)));
  return toDer(
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      integer('00'),
      integer(hexOf(p)),
      integer(hexOf(q)),
      integer(hexOf(g)),
      integer(y.toString(16)),
      integer(hexOf(x)),
    ]),
  );
}

/** Sprig's pemBlockForKey: RSA as PKCS#1, EC as SEC 1, DSA in OpenSSL's layout, anything else as PKCS#8. */
export function privateKeyPem(key: KeyObject): string {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return key.export({ type: 'pkcs1', format: 'pem' }) as string;
    case 'ec':
      return key.export({ type: 'sec1', format: 'pem' }) as string;
    case 'dsa':
      return pemEncode('DSA PRIVATE KEY', dsaPrivateKeyDer(key));
    default:
      return key.export({ type: 'pkcs8', format: 'pem' }) as string;
  }
}

/**
 * genPrivateKey: the key sizes Sprig picks (RSA 4096, DSA L2048N256, ECDSA P-256, Ed25519); an unknown type is text.
 */
export function generatePrivateKey(type: string): string {
  switch (type) {
    case '':
    case 'rsa':
      return privateKeyPem(rsaPrivateKey(4096));
    case 'dsa':
      return privateKeyPem(
        nodeCrypto().generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 256 }).privateKey,
      );
    case 'ecdsa':
      return privateKeyPem(nodeCrypto().generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
    case 'ed25519':
      return privateKeyPem(nodeCrypto().generateKeyPairSync('ed25519').privateKey);
    default:
      return `Unknown type ${type}`;
  }
}

/** Sprig's parsePrivateKeyPEM: the first PEM block, read by its type (PKCS#8, or RSA, EC, DSA in their own layouts). */
export function parsePrivateKeyPem(text: string): KeyObject {
  const block = pemDecode(text);
  if (!block) throw new Error('no PEM data in input');
  const parse = (what: string, read: () => KeyObject) => {
    try {
      return read();
    } catch (error) {
      throw new Error(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  if (block.type === 'PRIVATE KEY')
    return parse('decoding PEM as PKCS#8', () =>
      nodeCrypto().createPrivateKey({ key: block.der, format: 'der', type: 'pkcs8' }),
    );
  if (!block.type.endsWith(' PRIVATE KEY')) throw new Error(`no private key data in PEM block of type ${block.type}`);
  switch (block.type.slice(0, -' PRIVATE KEY'.length)) {
    case 'RSA':
      return parse('parsing RSA private key from PEM', () =>
        nodeCrypto().createPrivateKey({ key: block.der, format: 'der', type: 'pkcs1' }),
      );
    case 'EC':
      return parse('parsing EC private key from PEM', () =>
        nodeCrypto().createPrivateKey({ key: block.der, format: 'der', type: 'sec1' }),
      );
    case 'DSA':
      // OpenSSL reads its own DSA layout from PEM (there is no DER type name for it).
      return parse('parsing DSA private key from PEM', () =>
        nodeCrypto().createPrivateKey(pemEncode('DSA PRIVATE KEY', block.der)),
      );
    default:
      throw new Error(`invalid private key type ${block.type}`);
  }
}

// ---- certificates

/** The signature Go's x509 picks for a key, as an AlgorithmIdentifier, and the hash node:crypto signs with. */
function signatureAlgorithm(key: KeyObject): { identifier: Asn1; hash: string | null } {
  const identifier = (oid: string, withNull: boolean) =>
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes()),
      ...(withNull ? [asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')] : []),
    ]);
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return { identifier: identifier('1.2.840.113549.1.1.11', true), hash: 'sha256' };
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === 'secp384r1') return { identifier: identifier('1.2.840.10045.4.3.3', false), hash: 'sha384' };
      if (curve === 'secp521r1') return { identifier: identifier('1.2.840.10045.4.3.4', false), hash: 'sha512' };
      return { identifier: identifier('1.2.840.10045.4.3.2', false), hash: 'sha256' };
    }
    case 'ed25519':
      return { identifier: identifier('1.3.101.112', false), hash: null };
    default:
      throw new Error('error creating certificate: x509: certificate private key does not implement crypto.Signer');
  }
}

/** net.ParseIP's bytes for a SAN: 4 for IPv4 (and IPv4-mapped IPv6, as Go writes them), else 16. */
function ipBytes(text: string): Buffer | undefined {
  const family = nodeNet().isIP(text);
  if (family === 4) return Buffer.from(text.split('.').map(Number));
  if (family !== 6 || text.includes('%')) return undefined;
  // The URL parser writes an IPv6 address in hexadecimal groups only (`::ffff:1.2.3.4` becomes `::ffff:102:304`).
  const canonical = new URL(`http://[${text}]`).hostname.slice(1, -1);
  const [head = '', tail] = canonical.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':').map((group) => Number.parseInt(group, 16)) : []);
  const front = groups(head);
  const back = groups(tail);
  const all = [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
  const out = Buffer.alloc(16);
  all.forEach((group, index) => out.writeUInt16BE(group, index * 2));
  const isMapped = out.subarray(0, 12).equals(Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]));
  return isMapped ? out.subarray(12) : out;
}

function listArgument(value: unknown, what: string): unknown[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) throw new Error(`the ${what} must be a list, got ${typeof value}`);
  return value;
}

/** Sprig's getNetIPs. */
function parseIps(ips: unknown): Buffer[] {
  return listArgument(ips, 'IP addresses').map((ip) => {
    if (typeof ip !== 'string') throw new Error(`error parsing ip: ${String(ip)} is not a string`);
    const parsed = ipBytes(ip);
    if (!parsed) throw new Error(`error parsing ip: ${ip}`);
    return parsed;
  });
}

/** Sprig's getAlternateDNSStrs; Go's x509 then refuses names that are not ASCII. */
function parseDnsNames(names: unknown): string[] {
  return listArgument(names, 'alternate DNS names').map((name) => {
    if (typeof name !== 'string')
      throw new Error(`error processing alternate dns name: ${String(name)} is not a string`);
    // eslint-disable-next-line no-control-regex
    if (!/^[\x00-\x7f]*$/.test(name))
      throw new Error(`error creating certificate: x509: "${name}" cannot be encoded as an IA5String`);
    return name;
  });
}

/** A certificate template as Sprig's getBaseCertTemplate fills it in. */
export interface CertificateTemplate {
  commonName: string;
  ips: unknown;
  dnsNames: unknown;
  days: number;
  isCA: boolean;
}

/** The parts of a signer's certificate that signing needs, read from its DER. */
interface Signer {
  subject: Asn1;
  subjectKeyId: string | undefined;
  publicKey: KeyObject;
}

function readSigner(der: Buffer): Signer {
  const publicKey = new (nodeCrypto().X509Certificate)(der).publicKey;
  const tbs = (fromDer(der).value as Asn1[])[0] as Asn1;
  const fields = tbs.value as Asn1[];
  const hasVersion = fields[0]?.tagClass === asn1.Class.CONTEXT_SPECIFIC;
  const subject = fields[hasVersion ? 5 : 4] as Asn1;
  let subjectKeyId: string | undefined;
  const extensions = fields.find((field) => field.tagClass === asn1.Class.CONTEXT_SPECIFIC && field.type === 3);
  for (const extension of ((extensions?.value as Asn1[] | undefined)?.[0]?.value as Asn1[] | undefined) ?? []) {
    const parts = extension.value as Asn1[];
    if (asn1.derToOid(forge.util.createBuffer(parts[0]?.value as string)) !== '2.5.29.14') continue;
    subjectKeyId = fromDer(bytes(parts.at(-1)?.value as string)).value as string;
  }
  return { subject, subjectKeyId, publicKey };
}

/** Go's PrintableString when every character allows it, else UTF8String, as encoding/asn1 chooses. */
function commonNameAttributes(commonName: string): forgeTypes.pki.CertificateField[] {
  if (commonName === '') return [];
  const printable = /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(commonName);
  // forge reads valueTagClass as the value's ASN.1 type; its type declarations call it a class.
  const valueTagClass = (printable ? asn1.Type.PRINTABLESTRING : asn1.Type.UTF8) as unknown as forgeTypes.asn1.Class;
  return [{ name: 'commonName', value: commonName, valueTagClass }];
}

/** Stands in for the public key while forge lays out the fields; the real key info replaces it. */
const placeholderKey = () =>
  forge.pki.setRsaPublicKey(new forge.jsbn.BigInteger('1', 16), new forge.jsbn.BigInteger('1', 16));

/**
 * x509.CreateCertificate over Sprig's template: the subject's key, and the signer (its certificate and key; none
 * for a self-signed certificate). Returns the certificate and the subject's key, both PEM.
 */
export function createCertificate(
  template: CertificateTemplate,
  subjectKey: KeyObject,
  signer?: { cert: Buffer; key: KeyObject },
): CertificatePair {
  const ips = parseIps(template.ips);
  const dnsNames = parseDnsNames(template.dnsNames);
  const signingKey = signer?.key ?? subjectKey;
  const algorithm = signatureAlgorithm(signingKey);
  const subjectPublic = nodeCrypto().createPublicKey(subjectKey).export({ type: 'spki', format: 'der' });
  const parent = signer ? readSigner(signer.cert) : undefined;
  if (
    parent &&
    !parent.publicKey
      .export({ type: 'spki', format: 'der' })
      .equals(nodeCrypto().createPublicKey(signingKey).export({ type: 'spki', format: 'der' }))
  ) {
    throw new Error("error creating certificate: x509: provided PrivateKey doesn't match parent's PublicKey");
  }

  const cert = forge.pki.createCertificate();
  cert.serialNumber = unsignedDer(nodeCrypto().randomBytes(16).toString('hex'));
  const now = Date.now();
  cert.validity.notBefore = new Date(now);
  cert.validity.notAfter = new Date(now + template.days * 24 * 3600 * 1000);
  const subjectAttributes = commonNameAttributes(template.commonName);
  cert.setSubject(subjectAttributes);
  cert.setIssuer(subjectAttributes);

  const subjectName = toDer(forge.pki.distinguishedNameToAsn1(cert.subject));
  const issuerName = parent ? toDer(parent.subject) : subjectName;
  // Go's key identifier (since Go 1.25): SHA-256 of the public key's bits, cut to 160 bits; only a CA gets one.
  const spkiBits = ((fromDer(subjectPublic).value as Asn1[])[1]?.value as string).slice(1);
  const subjectKeyId = template.isCA
    ? nodeCrypto().createHash('sha256').update(bytes(spkiBits)).digest().subarray(0, 20)
    : undefined;
  const octets = (data: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, data);
  const extensions: object[] = [
    { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true, keyCertSign: template.isCA },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    { name: 'basicConstraints', critical: true, cA: template.isCA },
  ];
  if (subjectKeyId) extensions.push({ name: 'subjectKeyIdentifier', value: octets(binary(subjectKeyId)) });
  if (parent?.subjectKeyId && !issuerName.equals(subjectName))
    extensions.push({ name: 'authorityKeyIdentifier', keyIdentifier: parent.subjectKeyId });
  if (dnsNames.length + ips.length > 0) {
    // The names are critical when the subject is empty (RFC 5280), as Go marks them.
    const altNames = [
      ...dnsNames.map((value) => ({ type: 2, value })),
      ...ips.map((ip) => ({ type: 7, value: binary(ip) })),
    ];
    extensions.push({ name: 'subjectAltName', critical: subjectAttributes.length === 0, altNames });
  }
  cert.setExtensions(extensions);

  // forge writes only RSA public keys and its own signature layout: the key info is node's, the algorithm Go's.
  cert.publicKey = placeholderKey();
  (cert as unknown as { siginfo: { algorithmOid: string } }).siginfo.algorithmOid = forge.pki.oids
    .sha256WithRSAEncryption as string;
  const tbs = forgeExtra().getTBSCertificate(cert);
  const fields = tbs.value as Asn1[];
  fields[2] = algorithm.identifier;
  if (parent) fields[3] = parent.subject;
  fields[6] = fromDer(subjectPublic);
  const tbsDer = toDer(tbs);
  const signature = nodeCrypto().sign(algorithm.hash, tbsDer, signingKey);
  const der = toDer(
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      tbs,
      algorithm.identifier,
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\0${binary(signature)}`),
    ]),
  );
  return withGoPrinting({ Cert: pemEncode('CERTIFICATE', der), Key: privateKeyPem(subjectKey) });
}

/** Go prints Sprig's certificate struct as `{cert key}`; the dict keeps only Cert and Key as its keys. */
function withGoPrinting(pair: CertificatePair): CertificatePair {
  Object.defineProperty(pair, 'toString', { value: () => `{${pair.Cert} ${pair.Key}}`, enumerable: false });
  return pair;
}

/** The CA dict a template passes to genSignedCert: its certificate's DER and its key. */
export function readCertificateAuthority(ca: unknown): { cert: Buffer; key: KeyObject } {
  const fields = isDict(ca) ? ca : {};
  const block = pemDecode(typeof fields.Cert === 'string' ? fields.Cert : '');
  if (!block) throw new Error('unable to decode certificate');
  try {
    new (nodeCrypto().X509Certificate)(block.der);
  } catch (error) {
    throw new Error(
      `error parsing certificate: decodedSignerCert.Bytes: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  try {
    return { cert: block.der, key: parsePrivateKeyPem(typeof fields.Key === 'string' ? fields.Key : '') };
  } catch (error) {
    throw new Error(`error parsing private key: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A new RSA 2048 key, as Sprig makes for every certificate without a given key. */
export function newCertificateKey(): KeyObject {
  return rsaPrivateKey(2048);
}

/**
 * An RSA key of `bits` bits with e = 65537, made from two random primes of half the size (primes.ts). Node's
 * generateKeyPairSync('rsa') runs OpenSSL 3's FIPS 186-4 key generation, which costs 3 to 4 times the CPU for keys of
 * the same size and strength; keys are the slowest part of the charts that make certificates (bitnami's etcd, apisix,
 * milvus …). The primes have their top two bits set, so n has exactly `bits` bits; p and q are far apart (FIPS
 * 186-4's |p - q| > 2^(bits/2 - 100)); d is e^-1 mod lcm(p-1, q-1).
 */
export function rsaPrivateKey(bits: number): KeyObject {
  const e = 65537n;
  const prime = (): bigint => {
    for (;;) {
      const candidate = randomPrime(bits / 2);
      if ((candidate - 1n) % e !== 0n) return candidate; // e is prime: gcd(e, p-1) = 1
    }
  };
  for (;;) {
    let p = prime();
    let q = prime();
    const distance = p > q ? p - q : q - p;
    const n = p * q;
    if (distance >> BigInt(bits / 2 - 100) === 0n || n.toString(2).length !== bits) continue;
    if (p < q) [p, q] = [q, p];
    const lambda = ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
    const d = modInverse(e, lambda);
    const b64 = (value: bigint): string => {
      const hex = value.toString(16);
      return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex').toString('base64url');
    };
    return nodeCrypto().createPrivateKey({
      format: 'jwk',
      key: {
        kty: 'RSA',
        n: b64(n),
        e: b64(e),
        d: b64(d),
        p: b64(p),
        q: b64(q),
        dp: b64(d % (p - 1n)),
        dq: b64(d % (q - 1n)),
        qi: b64(modInverse(q, p)),
      },
    });
  }
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** a^-1 mod m (a and m coprime), by the extended Euclidean algorithm. */
function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [a % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const quotient = oldR / r;
    [oldR, r] = [r, oldR - quotient * r];
    [oldS, s] = [s, oldS - quotient * s];
  }
  return ((oldS % m) + m) % m;
}

/** buildCustomCert: base64 PEM certificate and key, checked, returned as the dict. */
export function buildCustomCertificate(base64Cert: string, base64Key: string): CertificatePair {
  const strictBase64 = (text: string) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text);
  if (!strictBase64(base64Cert)) throw new Error('unable to decode base64 certificate');
  if (!strictBase64(base64Key)) throw new Error('unable to decode base64 private key');
  const cert = Buffer.from(base64Cert, 'base64').toString('utf8');
  const key = Buffer.from(base64Key, 'base64').toString('utf8');
  const block = pemDecode(cert);
  if (!block) throw new Error('unable to decode certificate');
  try {
    new (nodeCrypto().X509Certificate)(block.der);
  } catch (error) {
    throw new Error(
      `error parsing certificate: decodedCert.Bytes: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  try {
    parsePrivateKeyPem(key);
  } catch (error) {
    throw new Error(`error parsing private key: ${error instanceof Error ? error.message : String(error)}`);
  }
  return withGoPrinting({ Cert: cert, Key: key });
}
