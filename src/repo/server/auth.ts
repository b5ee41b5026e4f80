// Who may read and write: bearer tokens (one per line of --auth-token-file) and basic auth against an htpasswd file
// of bcrypt hashes. Comparisons are constant-time: secrets are compared as sha256 digests with timingSafeEqual, and
// an unknown user still costs one bcrypt comparison.
import { createHash, timingSafeEqual } from 'node:crypto';
import { PortolanError } from '../../errors.js';

export interface AuthConfig {
  tokens: string[];
  /** user → bcrypt hash. */
  users: Map<string, string>;
}

export type AuthOutcome = { ok: true; user: string } | { ok: false; reason: 'missing' | 'invalid' };

/** A bcrypt hash of a random password: what unknown users are compared against, so they take as long as known ones. */
const DUMMY_HASH = '$2b$10$IEASv80RwpHb5pH5Vws3xuTjOBQ73rT0gFoNVGyHU2Tkh2OX4/D.6';

export function parseTokenFile(text: string, source: string): string[] {
  const tokens = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (tokens.length === 0) throw new PortolanError('USAGE', `${source} holds no token`, { file: source, hint: 'Put one token per line.' });
  return tokens;
}

export function parseHtpasswd(text: string, source: string): Map<string, string> {
  const users = new Map<string, string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    const user = line.slice(0, colon);
    const hash = line.slice(colon + 1);
    if (colon <= 0 || !/^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/.test(hash)) {
      throw new PortolanError('USAGE', `${source}:${i + 1}: not a "user:bcrypt-hash" line`, {
        file: source,
        line: i + 1,
        hint: 'Only bcrypt hashes are accepted: create entries with `htpasswd -B FILE USER`.',
      });
    }
    users.set(user, hash);
  });
  if (users.size === 0) throw new PortolanError('USAGE', `${source} holds no user`, { file: source });
  return users;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

type BcryptCompare = (password: string, hash: string) => Promise<boolean>;
let bcryptCompare: BcryptCompare | undefined;
async function loadBcrypt(): Promise<BcryptCompare> {
  if (!bcryptCompare) {
    const module = await import('bcryptjs');
    bcryptCompare = module.compare;
  }
  return bcryptCompare;
}

export class Authenticator {
  /** sha256(user, password) of recent successful basic logins, so repeated requests skip bcrypt's deliberate cost. */
  private readonly verified = new Map<string, number>();

  constructor(private readonly config: AuthConfig) {}

  get configured(): boolean {
    return this.config.tokens.length > 0 || this.config.users.size > 0;
  }

  /** Checks an Authorization header. */
  async check(header: string | undefined): Promise<AuthOutcome> {
    if (!header) return { ok: false, reason: 'missing' };
    const space = header.indexOf(' ');
    const scheme = header.slice(0, space).toLowerCase();
    const credentials = header.slice(space + 1).trim();
    if (space <= 0) return { ok: false, reason: 'invalid' };
    if (scheme === 'bearer') return this.tokenMatches(credentials) ? { ok: true, user: 'token' } : { ok: false, reason: 'invalid' };
    if (scheme !== 'basic') return { ok: false, reason: 'invalid' };
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return { ok: false, reason: 'invalid' };
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    // A token is accepted as the password of basic auth too, so clients that only speak basic (helm) can use it.
    if (this.tokenMatches(password)) return { ok: true, user: user || 'token' };
    return (await this.passwordMatches(user, password)) ? { ok: true, user } : { ok: false, reason: 'invalid' };
  }

  private tokenMatches(candidate: string): boolean {
    let match = false;
    for (const token of this.config.tokens) if (constantTimeEqual(candidate, token)) match = true;
    return match;
  }

  private async passwordMatches(user: string, password: string): Promise<boolean> {
    if (this.config.users.size === 0) return false;
    const key = digest(`${user}\u0000${password}`).toString('base64');
    const hash = this.config.users.get(user);
    const cachedAt = this.verified.get(key);
    if (hash !== undefined && cachedAt !== undefined && Date.now() - cachedAt < 5 * 60_000) return true;
    const compare = await loadBcrypt();
    const ok = (await compare(password, hash ?? DUMMY_HASH)) && hash !== undefined;
    if (ok) {
      if (this.verified.size > 1000) this.verified.clear();
      this.verified.set(key, Date.now());
    }
    return ok;
  }
}
