import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors.js';
import { apiKeyPrefix, bearerApiKey, generateApiKey, hashApiKey, isWellFormedApiKey, verifyApiKey } from './api-key.js';
import { AccessErrorCodes } from './error-codes.js';

const fixedBytes = (byte: number) => (size: number) => Buffer.alloc(size, byte);

describe('generateApiKey', () => {
  it('makes rhk_ + 43 base64url characters, its prefix and its sha256', () => {
    const { key, prefix, hash } = generateApiKey();
    expect(key).toMatch(/^rhk_[A-Za-z0-9_-]{43}$/);
    expect(isWellFormedApiKey(key)).toBe(true);
    expect(prefix).toBe(key.slice(0, 12));
    expect(hash).toBe(createHash('sha256').update(key).digest('hex'));
  });

  it('is deterministic given the bytes, and different keys come from different bytes', () => {
    const a = generateApiKey(fixedBytes(0xab));
    expect(a.key).toBe(`rhk_${Buffer.alloc(32, 0xab).toString('base64url')}`);
    expect(generateApiKey(fixedBytes(0xab))).toEqual(a);
    const keys = new Set(Array.from({ length: 50 }, () => generateApiKey().key));
    expect(keys.size).toBe(50);
  });

  it('refuses a random source that gives too few bytes', () => {
    expect(() => generateApiKey(() => Buffer.alloc(16))).toThrow(RangeError);
  });

  it('never puts the secret in the prefix beyond 8 characters', () => {
    const { key, prefix } = generateApiKey();
    expect(apiKeyPrefix(key)).toBe(prefix);
    expect(prefix.length).toBe(12);
    expect(key.length - prefix.length).toBe(35);
  });
});

describe('isWellFormedApiKey', () => {
  const good = generateApiKey(fixedBytes(1)).key;
  it.each([
    [good, true],
    [good.slice(0, -1), false],
    [`${good}A`, false],
    [good.replace('rhk_', 'rhx_'), false],
    [`${good.slice(0, -1)}=`, false],
    [`${good.slice(0, -1)}+`, false],
    [` ${good}`, false],
    ['', false],
  ])('%j → %s', (text, expected) => {
    expect(isWellFormedApiKey(text)).toBe(expected);
  });
});

describe('verifyApiKey', () => {
  const { key, hash } = generateApiKey();

  it('accepts the key of the stored hash', () => {
    expect(hashApiKey(key)).toBe(hash);
    expect(verifyApiKey(key, hash)).toBe(true);
  });

  it('rejects another key, a changed character, or a bad stored hash', () => {
    expect(verifyApiKey(generateApiKey().key, hash)).toBe(false);
    const last = key.at(-1) === 'A' ? 'B' : 'A';
    expect(verifyApiKey(key.slice(0, -1) + last, hash)).toBe(false);
    expect(verifyApiKey(key, hash.toUpperCase())).toBe(false);
    expect(verifyApiKey(key, hash.slice(0, 62))).toBe(false);
    expect(verifyApiKey(key, '')).toBe(false);
  });

  it('rejects text that is not a key, even if its hash is stored', () => {
    expect(verifyApiKey('password', hashApiKey('password'))).toBe(false);
  });
});

describe('bearerApiKey', () => {
  const { key } = generateApiKey();

  it.each([`Bearer ${key}`, `bearer ${key}`, `BEARER  ${key} `])('reads %j', (header) => {
    expect(bearerApiKey(header)).toBe(key);
  });

  it.each([
    [undefined, 'missing API key'],
    ['', 'missing API key'],
    [`Basic ${key}`, 'not "Bearer <key>"'],
    ['Bearer', 'not "Bearer <key>"'],
    [`Bearer ${key} extra`, 'not "Bearer <key>"'],
    ['Bearer rhk_short', 'malformed API key'],
  ])('%j → RH_ERR_UNAUTHORIZED (%s)', (header, message) => {
    try {
      bearerApiKey(header);
      expect.unreachable();
    } catch (err) {
      expect(isAppError(err)).toBe(true);
      if (!isAppError(err)) return;
      expect(err.code).toBe(AccessErrorCodes.UNAUTHORIZED);
      expect(err.message).toContain(message);
      expect(err.message).not.toContain('rhk_');
    }
  });
});
