import { describe, expect, it } from 'vitest';
import { CopyEncoder, daysSince2000, type BulkColumn, type BulkValue } from './bulk.js';

const HEADER = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/** Reads COPY's binary format back: the header, then each tuple's fields as raw bytes (null for NULL). */
function decode(bytes: Buffer): (Buffer | null)[][] {
  expect(bytes.subarray(0, 11)).toEqual(HEADER);
  expect(bytes.readInt32BE(11)).toBe(0);
  expect(bytes.readInt32BE(15)).toBe(0);
  let at = 19;
  const rows: (Buffer | null)[][] = [];
  for (;;) {
    const count = bytes.readInt16BE(at);
    at += 2;
    if (count === -1) break;
    const row: (Buffer | null)[] = [];
    for (let c = 0; c < count; c++) {
      const length = bytes.readInt32BE(at);
      at += 4;
      row.push(length === -1 ? null : bytes.subarray(at, at + length));
      if (length > 0) at += length;
    }
    rows.push(row);
  }
  expect(at).toBe(bytes.length);
  return rows;
}

const columns: BulkColumn[] = [
  { name: 'id', type: 'bigint' },
  { name: 'label', type: 'text' },
  { name: 'doc', type: 'json' },
  { name: 'n', type: 'integer' },
  { name: 'ok', type: 'boolean' },
  { name: 'p', type: 'float8' },
  { name: 'born', type: 'date' },
];

describe('CopyEncoder', () => {
  it('writes each value as its length and bytes in the type binary COPY expects, across buffers', () => {
    // A tiny buffer size, so that values (some of them Chinese, 3 bytes a character) keep
    // starting new buffers, and one value is larger than a buffer.
    const encoder = new CopyEncoder(columns, 16);
    const label = '行\t制表\\反斜杠\n换行';
    const doc = JSON.stringify({ 姓名: '王宝', 地址: '河南省郑州市金水区北大街道西湖社区'.repeat(3) });
    encoder.row(['12345', label, doc, -7, true, 0.25, '2014-05-27']);
    encoder.row([-1, null, '{}', '42', false, -1.5, '1970-01-01']);
    encoder.row(['9007199254740993', '', null, null, null, null, null]);
    encoder.end();
    const buffers = encoder.take();
    expect(buffers.length).toBeGreaterThan(3);
    const rows = decode(Buffer.concat(buffers));
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => r.length === columns.length)).toBe(true);

    const [first, second, third] = rows as (Buffer | null)[][];
    expect(first![0]!.readBigInt64BE()).toBe(12345n);
    expect(first![1]!.toString('utf8')).toBe(label);
    expect(first![2]!.toString('utf8')).toBe(doc);
    expect(first![3]!.readInt32BE()).toBe(-7);
    expect([...first![4]!]).toEqual([1]);
    expect(first![5]!.readDoubleBE()).toBe(0.25);
    expect(first![6]!.readInt32BE()).toBe(Date.UTC(2014, 4, 27) / 86_400_000 - 10_957);

    expect(second![0]!.readBigInt64BE()).toBe(-1n);
    expect(second![1]).toBeNull();
    expect(second![3]!.readInt32BE()).toBe(42);
    expect([...second![4]!]).toEqual([0]);
    expect(second![6]!.readInt32BE()).toBe(-10_957);

    // Beyond 2^53: exact, through BigInt.
    expect(third![0]!.readBigInt64BE()).toBe(9007199254740993n);
    expect(third![1]!.length).toBe(0);
    expect(third!.slice(2)).toEqual([null, null, null, null, null]);
  });

  it('gives only what was added since the last take, never overwriting it', () => {
    const encoder = new CopyEncoder([{ name: 'label', type: 'text' }]);
    const header = Buffer.concat(encoder.take());
    expect(header).toHaveLength(19);
    expect(encoder.take()).toEqual([]);
    encoder.row(['第一行']);
    const first = encoder.take();
    encoder.row(['第二行']);
    expect(Buffer.concat(encoder.take()).subarray(6).toString()).toBe('第二行');
    // What was taken may still be queued on a socket: later rows never write over it.
    expect(Buffer.concat(first).subarray(6).toString()).toBe('第一行');
  });

  it('refuses a value its column cannot hold, naming the column', () => {
    const refused: [BulkColumn['type'], BulkValue][] = [
      ['bigint', 'abc'],
      ['bigint', '12 '],
      ['bigint', 1.5],
      ['bigint', '99999999999999999999'],
      ['bigint', true],
      ['integer', 2 ** 31],
      ['integer', '1e3'],
      ['boolean', 't'],
      ['float8', 'x'],
      ['date', '2014/05/27'],
      ['date', '2014-02-30'],
      ['text', 5],
      ['json', false],
    ];
    for (const [type, value] of refused) {
      const encoder = new CopyEncoder([{ name: 'col_x', type }]);
      expect(() => encoder.row([value]), `${type} ${String(value)}`).toThrow(new RegExp(`not a ${type} for column col_x`));
    }
    expect(() => new CopyEncoder([{ name: 'a', type: 'text' }]).row(['x', 'y'])).toThrow(/2 values for 1 columns/);
    expect(() => new CopyEncoder([{ name: 'amount', type: 'numeric' as BulkColumn['type'] }])).toThrow(/amount's type numeric/);
  });
});

describe('daysSince2000', () => {
  it('agrees with Date.UTC on every day from 1899 to 2101', () => {
    const wrong: string[] = [];
    for (let t = Date.UTC(1899, 0, 1); t <= Date.UTC(2101, 11, 31); t += 86_400_000) {
      const iso = new Date(t).toISOString().slice(0, 10);
      if (daysSince2000(iso) !== t / 86_400_000 - 10_957) wrong.push(iso);
    }
    expect(wrong).toEqual([]);
  });

  it('refuses text that is not a day', () => {
    for (const text of ['2014-02-30', '2013-02-29', '1900-02-29', '2014-13-01', '2014-00-10', '2014-04-31', '2014-5-27', '20140527', 'abcd-ef-gh', '0000-01-01', '']) {
      expect(daysSince2000(text), text).toBeUndefined();
    }
    expect(daysSince2000('2000-02-29')).toBe(59);
  });
});
