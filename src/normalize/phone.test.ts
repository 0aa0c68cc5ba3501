import { describe, it, expect } from 'vitest';
import { normalizePhone } from './phone.js';
import type { PhoneResult } from './types.js';

// Made-up numbers.
describe('normalizePhone', () => {
  describe('mobiles', () => {
    it.each<[unknown, string]>([
      ['13812345678', '13812345678'],
      [13812345678, '13812345678'], // Excel number cell
      ['  13812345678 ', '13812345678'],
      ['138 1234 5678', '13812345678'],
      ['138-1234-5678', '13812345678'],
      ['１３８１２３４５６７８', '13812345678'],
      ['+86 138 1234 5678', '13812345678'],
      ['+8613812345678', '13812345678'],
      ['+86-13812345678', '13812345678'],
      ['(+86)13812345678', '13812345678'],
      ['（+86）13812345678', '13812345678'],
      ['8613812345678', '13812345678'],
      ['86 138 1234 5678', '13812345678'],
      ['008613812345678', '13812345678'],
      ['013812345678', '13812345678'], // long-distance 0 before a mobile
      ['19912345678', '19912345678'],
      ['16612345678', '16612345678'],
    ])('%j → %s', (input, value) => {
      expect(normalizePhone(input as never)).toEqual({ ok: true, value: { value, kind: 'mobile' } });
    });
  });

  describe('landlines', () => {
    it.each<[unknown, string]>([
      ['0371-65432100', '0371-65432100'],
      ['0371 65432100', '0371-65432100'],
      ['(0371)65432100', '0371-65432100'],
      ['（0371）65432100', '0371-65432100'],
      ['(0371) 6543-2100', '0371-65432100'],
      ['037165432100', '0371-65432100'],
      ['０３７１－６５４３２１００', '0371-65432100'],
      ['0371.65432100', '0371-65432100'],
      [37165432100, '0371-65432100'], // number cell: Excel dropped the leading 0
      ['010-62345678', '010-62345678'],
      ['01062345678', '010-62345678'], // 010 and 02x have three-digit area codes
      ['021-62345678', '021-62345678'],
      ['02362345678', '023-62345678'],
      ['0398-2345678', '0398-2345678'], // seven-digit local number
      ['03982345678', '0398-2345678'],
      ['+86 371 65432100', '0371-65432100'], // dialled from abroad, no trunk 0
      ['+86-10-62345678', '010-62345678'],
      ['65432100', '65432100'], // bare local numbers stay as they are
      ['6543210', '6543210'],
      [65432100, '65432100'],
    ])('%j → %s', (input, value) => {
      expect(normalizePhone(input as never)).toEqual({ ok: true, value: { value, kind: 'landline' } });
    });
  });

  describe('extensions and several numbers', () => {
    it.each<[string, PhoneResult]>([
      ['0371-65432100-8001', { value: '0371-65432100', kind: 'landline', extension: '8001' }],
      ['0371-65432100转8001', { value: '0371-65432100', kind: 'landline', extension: '8001' }],
      ['0371-65432100 分机 8001', { value: '0371-65432100', kind: 'landline', extension: '8001' }],
      ['13812345678/0371-65432100', { value: '13812345678', kind: 'mobile', alternates: ['0371-65432100'] }],
      ['13812345678，13912345678', { value: '13812345678', kind: 'mobile', alternates: ['13912345678'] }],
      ['13812345678；13912345678', { value: '13812345678', kind: 'mobile', alternates: ['13912345678'] }],
      ['13812345678、13912345678', { value: '13812345678', kind: 'mobile', alternates: ['13912345678'] }],
      ['13812345678或13912345678', { value: '13812345678', kind: 'mobile', alternates: ['13912345678'] }],
      ['13812345678 13912345678', { value: '13812345678', kind: 'mobile', alternates: ['13912345678'] }],
      ['13812345678/13812345678', { value: '13812345678', kind: 'mobile' }], // duplicates dropped
      ['无/13812345678', { value: '13812345678', kind: 'mobile' }], // the usable one wins
    ])('%j', (input, value) => {
      expect(normalizePhone(input)).toEqual({ ok: true, value });
    });
  });

  describe('rejects', () => {
    it.each<[unknown]>([
      ['12345'],
      ['110'],
      ['95588'],
      ['400-123-4567'],
      ['1381234567'], // 10 digits
      ['138123456789'], // 12 digits
      ['12812345678'], // no mobile range 12x
      ['0371-0543210'], // local number cannot start with 0
      ['0371-65432'], // local number too short
      ['037-65432100'], // no such area code length
      ['abc'],
      ['电话13812345678'],
      [13812345678.5],
      [-13812345678],
      [true],
      [new Date(Date.UTC(2020, 0, 1))],
    ])('%j', (input) => {
      const r = normalizePhone(input as never);
      expect(r.ok).toBe(false);
    });

    it('names the value in the reason', () => {
      expect(normalizePhone('12345')).toEqual({ ok: false, reason: 'not a phone number: "12345"' });
    });
  });

  it.each([[null], [''], ['  '], ['无'], ['/'], ['-']])('%j → empty', (input) => {
    expect(normalizePhone(input)).toEqual({ ok: 'empty' });
  });
});
