/**
 * API keys: `rhk_` + 32 random bytes in base64url (43 characters). Only a hash is stored; the
 * key itself is shown once, when created. A short public prefix names the key in listings and
 * audit rows without being able to act as it. Pure apart from the random bytes, which can be
 * passed in.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { accessError, AccessErrorCodes } from './error-codes.js';

export const API_KEY_PREFIX = 'rhk_';
const SECRET_BYTES = 32;
const SECRET_CHARS = 43; // base64url of 32 bytes, unpadded
const API_KEY_PATTERN = /^rhk_[A-Za-z0-9_-]{43}$/;
/** Characters of the secret repeated in the public prefix: 48 bits, enough to tell keys apart. */
const PUBLIC_CHARS = 8;

export interface NewApiKey {
  /** The key, to show once and never store. */
  key: string;
  /** `rhk_` + the first 8 characters of the secret: safe to list and log. */
  prefix: string;
  /** What is stored (hex sha256). */
  hash: string;
}

/** A new key; `random` only for tests. */
export function generateApiKey(random: (size: number) => Buffer = randomBytes): NewApiKey {
  const bytes = random(SECRET_BYTES);
  if (bytes.length !== SECRET_BYTES) throw new RangeError(`generateApiKey: need ${SECRET_BYTES} random bytes, got ${bytes.length}`);
  const key = API_KEY_PREFIX + bytes.toString('base64url');
  return { key, prefix: apiKeyPrefix(key), hash: hashApiKey(key) };
}

export function isWellFormedApiKey(text: string): boolean {
  return text.length === API_KEY_PREFIX.length + SECRET_CHARS && API_KEY_PATTERN.test(text);
}

/** The public prefix of a key (`rhk_AbCd1234`), for listings, audit rows and log lines. */
export function apiKeyPrefix(key: string): string {
  return key.slice(0, API_KEY_PREFIX.length + PUBLIC_CHARS);
}

/**
 * Hex sha256 of the key. A fast unsalted hash is enough here, unlike for passwords: the key
 * carries 256 random bits, so neither guessing nor a precomputed table can find one from its
 * hash, and a slow KDF (scrypt, bcrypt) would only cost milliseconds on every request. Being
 * unsalted also lets the hash serve as the lookup index.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * Whether `presented` is the key whose hash is `storedHash`, compared in constant time so that
 * response times reveal nothing about how much of a hash matched.
 */
export function verifyApiKey(presented: string, storedHash: string): boolean {
  if (!isWellFormedApiKey(presented) || !/^[0-9a-f]{64}$/.test(storedHash)) return false;
  const actual = createHash('sha256').update(presented, 'utf8').digest();
  const expected = Buffer.from(storedHash, 'hex');
  return timingSafeEqual(actual, expected);
}

/**
 * The key of an `Authorization: Bearer <key>` header (scheme case-insensitive, RFC 7235), or
 * RH_ERR_UNAUTHORIZED (→ 401) when the header is missing, of another scheme, or not a key.
 */
export function bearerApiKey(authorization: string | undefined): string {
  if (authorization === undefined || authorization.trim() === '') {
    throw accessError(AccessErrorCodes.UNAUTHORIZED, 'missing API key: send Authorization: Bearer <key>');
  }
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(authorization);
  const key = match?.[1];
  // The presented text is never echoed: it may be a real key pasted into the wrong place.
  if (key === undefined) throw accessError(AccessErrorCodes.UNAUTHORIZED, 'the Authorization header is not "Bearer <key>"');
  if (!isWellFormedApiKey(key)) throw accessError(AccessErrorCodes.UNAUTHORIZED, 'malformed API key');
  return key;
}
