import { describe, expect, it } from 'vitest';
import { normalizeHeader } from '../src/ingest/header.js';
import type { CellValue } from '../src/ingest/types.js';
import { adapters } from './index.js';
import { headerScore, mapColumns } from './header-map.js';
import type { SourceAdapter } from './types.js';

/** The contract every department's adapter keeps; a fifth department must pass it too. */
function rowOf(adapter: SourceAdapter, values: Record<string, CellValue>) {
  return { rowNumber: 5, get: (key: string) => values[key] };
}

const context = { exportDate: '2026-10-31' };

describe.each(Object.values(adapters))('SourceAdapter contract: $source', (adapter) => {
  it('names its system and declares fields with headers', () => {
    expect(adapter.systemName).toMatch(/系统|平台/);
    expect(adapter.fields.length).toBeGreaterThan(5);
    for (const field of adapter.fields) expect(field.headers.length).toBeGreaterThan(0);
  });

  it('requires a name column and a natural-key column, and knows an ID number column', () => {
    const required = adapter.fields.filter((f) => f.required).map((f) => f.key);
    expect(required).toContain('name');
    expect(required.length).toBeGreaterThanOrEqual(2);
    expect(adapter.fields.some((f) => f.key === 'idNumber' && f.kind === 'idNumber')).toBe(true);
  });

  it('maps every header synonym to exactly one field', () => {
    const seen = new Map<string, string>();
    for (const field of adapter.fields) {
      for (const header of field.headers) {
        const key = normalizeHeader(header);
        expect(seen.get(key) ?? field.key, `${header} is claimed by two fields`).toBe(field.key);
        seen.set(key, field.key);
      }
    }
  });

  it('finds its columns in any order, with synonyms, in any case, beside unknown columns', () => {
    for (let variant = 0; variant < 3; variant++) {
      const headers = adapter.fields.map((f) => {
        const h = f.headers[variant % f.headers.length]!;
        return variant === 2 ? h.toLowerCase() : h;
      });
      const shuffled = [...headers].reverse();
      shuffled.splice(2, 0, '备注');
      const columns = mapColumns(adapter, shuffled);
      expect(columns.missingRequired).toEqual([]);
      for (const field of adapter.fields) {
        const index = columns.columnByField.get(field.key);
        expect(index, field.key).toBeDefined();
        expect(normalizeHeader(shuffled[index!]!)).toBe(normalizeHeader(field.headers[variant % field.headers.length]!));
      }
    }
  });

  it('scores its own header above every other department’s', () => {
    const own = adapter.fields.map((f) => f.headers[0]!);
    for (const other of Object.values(adapters)) {
      if (other === adapter) continue;
      expect(headerScore(adapter, own)).toBeGreaterThan(headerScore(other, own));
      expect(mapColumns(other, own).missingRequired.length).toBeGreaterThan(0);
    }
  });

  it('rejects a row with neither name nor ID number, with a reason', () => {
    const result = adapter.toRecord(rowOf(adapter, { sex: '男' }), context);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reasons[0]!.code).toBe('no_name_no_id');
  });

  it('accepts a row with only a name, and one with only an ID number', () => {
    const keyField = adapter.fields.find((f) => f.required && f.key !== 'name' && f.key !== 'idNumber')!;
    expect(adapter.toRecord(rowOf(adapter, { name: '张伟', [keyField.key]: 'K001' }), context).ok).toBe(true);
    expect(adapter.toRecord(rowOf(adapter, { idNumber: '11010519491231002X', [keyField.key]: 'K001' }), context).ok).toBe(true);
  });

  it('normalises the shared fields the same way and gives a stable natural key', () => {
    const values = {
      name: ' 張偉 ',
      idNumber: '１１０１０５１９４９１２３１００２x',
      sex: '2',
      [adapter.fields.find((f) => f.required && f.key !== 'name' && f.key !== 'idNumber')!.key]: 'K042',
    };
    const a = adapter.toRecord(rowOf(adapter, values), context);
    const b = adapter.toRecord(rowOf(adapter, { ...values }), context);
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(a.naturalKey).toBe(b.naturalKey);
    expect(a.naturalKey.length).toBeGreaterThan(0);
    expect(a.data).toMatchObject({ name: '張偉', nameMatch: '张伟', namePinyin: 'zhang wei', idNumber: '11010519491231002X', idNumberStatus: 'valid', sex: '2' });
  });

  it('keeps a damaged ID number out of matching and flags it, without rejecting the row', () => {
    const keyField = adapter.fields.find((f) => f.required && f.key !== 'name' && f.key !== 'idNumber')!;
    const result = adapter.toRecord(rowOf(adapter, { name: '李娜', idNumber: 410105199003071000, [keyField.key]: 'K7' }), context);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.data.idNumberStatus).toBe('lost_digits');
    expect(result.data.idNumber).toBeUndefined();
    expect(result.flags.map((f) => f.code)).toContain('id_lost_digits');
  });

  it('flags a birth date that disagrees with the ID number', () => {
    if (!adapter.fields.some((f) => f.key === 'birthDate')) return;
    const keyField = adapter.fields.find((f) => f.required && f.key !== 'name' && f.key !== 'idNumber')!;
    const result = adapter.toRecord(
      rowOf(adapter, { name: '王芳', idNumber: '11010519491231002X', birthDate: '1949-12-13', [keyField.key]: 'K9' }),
      context,
    );
    expect(result.ok && result.flags.map((f) => f.code)).toContain('birth_date_disagrees_with_id');
  });
});
