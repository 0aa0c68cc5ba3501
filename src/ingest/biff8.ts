/**
 * Cell values of a legacy Excel 97-2003 workbook (BIFF8, the `Workbook` stream of a compound
 * file), parsed by hand: the workbook globals (sheets, date system, number formats, cell
 * formats, shared strings), then one worksheet's cells. Pure: bytes in, values out; the worker
 * (workers/biff8-worker.mjs) reads the file. SheetJS did this before, after ~100 ms of loading
 * itself in every worker, at 12-20k rows/s; it still reads Excel 95 (BIFF5) workbooks, whose
 * text is in a code page (workers/xls-worker.mjs).
 *
 * Record layouts are those of [MS-XLS]; records this reader does not need are skipped, as the
 * format allows.
 */
import type { CellValue, SheetRow } from './types.js';
import { serialToDate, text } from './workers/cell-values.mjs';
import { isBuiltInDateFormat, isDateFormatCode } from './xlsx-parts.js';

export class Biff8FormatError extends Error {}
/** The workbook is encrypted (a FILEPASS record). */
export class Biff8EncryptedError extends Error {}

const BOF = 0x0809;
const EOF = 0x000a;
const CONTINUE = 0x003c;
const FILEPASS = 0x002f;
const DATEMODE = 0x0022;
const FORMAT = 0x041e;
const XF = 0x00e0;
const BOUNDSHEET = 0x0085;
const SST = 0x00fc;
const LABELSST = 0x00fd;
const LABEL = 0x0204;
const RSTRING = 0x00d6;
const NUMBER = 0x0203;
const RK = 0x027e;
const MULRK = 0x00bd;
const BOOLERR = 0x0205;
const FORMULA = 0x0006;
const STRING = 0x0207;

const BIFF8_VERSION = 0x0600;
const SUBSTREAM_GLOBALS = 0x0005;
const SUBSTREAM_WORKSHEET = 0x0010;

export interface Biff8Sheet {
  name: string;
  /** 0 visible, 1 hidden, 2 very hidden. */
  state: number;
  /** Where the sheet's BOF record starts in the stream. */
  offset: number;
}

export interface Biff8Workbook {
  date1904: boolean;
  /** Worksheets only (not charts, macro or VBA sheets), in the workbook's order. */
  sheets: Biff8Sheet[];
  sharedStrings: string[];
  /** By XF index (a cell's ixfe): whether its number format shows a date. */
  dateXfs: boolean[];
}

/** Reads one record's header at `at`: [type, data start, data end]. */
function record(stream: Buffer, view: DataView, at: number): [number, number, number] {
  if (at + 4 > stream.length) throw new Biff8FormatError(`the workbook stream ends inside a record header (byte ${at})`);
  const type = view.getUint16(at, true);
  const size = view.getUint16(at + 2, true);
  const end = at + 4 + size;
  if (end > stream.length) throw new Biff8FormatError(`the workbook stream ends inside record 0x${type.toString(16)} (byte ${at})`);
  return [type, at + 4, end];
}

const dataView = (stream: Buffer) => new DataView(stream.buffer, stream.byteOffset, stream.byteLength);

/** Text of `count` characters at `at`, one byte each (compressed: the low byte of UTF-16) or two. */
function chars(stream: Buffer, at: number, count: number, highByte: boolean): string {
  return highByte ? stream.toString('utf16le', at, at + 2 * count) : stream.toString('latin1', at, at + count);
}

/** An XLUnicodeString (16-bit count) or ShortXLUnicodeString (8-bit count) at `at`, within `end`. */
function unicodeString(stream: Buffer, view: DataView, at: number, end: number, shortCount: boolean): string {
  const count = shortCount ? stream[at]! : view.getUint16(at, true);
  const flagsAt = at + (shortCount ? 1 : 2);
  if (flagsAt >= end) return '';
  const highByte = (stream[flagsAt]! & 1) === 1;
  const from = flagsAt + 1;
  const available = Math.floor((end - from) / (highByte ? 2 : 1));
  return chars(stream, from, Math.min(count, available), highByte);
}

/**
 * Reads bytes across a record and its CONTINUE records. Characters of a string cut by a
 * CONTINUE go on after a new flags byte (whether they are one byte or two); everything else
 * simply goes on.
 */
class ContinuedReader {
  private segment = 0;
  private at: number;

  constructor(
    private readonly stream: Buffer,
    private readonly view: DataView,
    private readonly segments: readonly [number, number][],
  ) {
    this.at = segments[0]![0];
  }

  private ensure(): void {
    while (this.at >= this.segments[this.segment]![1]) {
      if (++this.segment >= this.segments.length) throw new Biff8FormatError('the shared strings end early');
      this.at = this.segments[this.segment]![0];
    }
  }

  u8(): number {
    this.ensure();
    return this.stream[this.at++]!;
  }

  u16(): number {
    return this.u8() | (this.u8() << 8);
  }

  u32(): number {
    return (this.u16() | (this.u16() << 16)) >>> 0;
  }

  skip(bytes: number): void {
    let left = bytes;
    while (left > 0) {
      this.ensure();
      const step = Math.min(left, this.segments[this.segment]![1] - this.at);
      this.at += step;
      left -= step;
    }
  }

  /** `count` characters, the first ones in the width `highByte` says. */
  chars(count: number, highByte: boolean): string {
    let out = '';
    let left = count;
    let high = highByte;
    while (left > 0) {
      if (this.at >= this.segments[this.segment]![1]) {
        this.ensure();
        high = (this.u8() & 1) === 1;
        continue;
      }
      const room = Math.floor((this.segments[this.segment]![1] - this.at) / (high ? 2 : 1));
      if (room === 0) throw new Biff8FormatError('a shared string is cut inside a character');
      const take = Math.min(left, room);
      out += chars(this.stream, this.at, take, high);
      this.at += take * (high ? 2 : 1);
      left -= take;
    }
    return out;
  }
}

/** The shared string table: the SST record at [from, to) and the CONTINUE records after it. */
function sharedStrings(stream: Buffer, view: DataView, from: number, to: number): { strings: string[]; next: number } {
  const segments: [number, number][] = [[from + 8, to]];
  let next = to;
  for (;;) {
    if (next + 4 > stream.length || view.getUint16(next, true) !== CONTINUE) break;
    const [, start, end] = record(stream, view, next);
    segments.push([start, end]);
    next = end;
  }
  const unique = view.getUint32(from + 4, true);
  const reader = new ContinuedReader(stream, view, segments);
  const strings: string[] = [];
  for (let i = 0; i < unique; i++) {
    const count = reader.u16();
    const flags = reader.u8();
    const runs = flags & 0x08 ? reader.u16() : 0;
    const extended = flags & 0x04 ? reader.u32() : 0;
    strings.push(reader.chars(count, (flags & 1) === 1));
    reader.skip(runs * 4 + extended);
  }
  return { strings, next };
}

/** The workbook globals: the substream at the start of the Workbook stream. */
export function readWorkbookGlobals(stream: Buffer): Biff8Workbook {
  const view = dataView(stream);
  const [type, start] = record(stream, view, 0);
  if (type !== BOF) throw new Biff8FormatError('the workbook stream does not start with a BOF record');
  const version = view.getUint16(start, true);
  if (version !== BIFF8_VERSION || view.getUint16(start + 2, true) !== SUBSTREAM_GLOBALS) {
    throw new Biff8FormatError(`not an Excel 97-2003 (BIFF8) workbook (version 0x${version.toString(16)})`);
  }
  const workbook: Biff8Workbook = { date1904: false, sheets: [], sharedStrings: [], dateXfs: [] };
  const formats = new Map<number, string>();
  const xfFormats: number[] = [];
  let at = 0;
  for (;;) {
    const [kind, from, to] = record(stream, view, at);
    at = to;
    switch (kind) {
      case EOF:
        for (const id of xfFormats) {
          const code = formats.get(id);
          workbook.dateXfs.push(code !== undefined ? isDateFormatCode(code) : isBuiltInDateFormat(id));
        }
        return workbook;
      case FILEPASS:
        throw new Biff8EncryptedError('the workbook is encrypted');
      case DATEMODE:
        workbook.date1904 = view.getUint16(from, true) === 1;
        break;
      case FORMAT:
        formats.set(view.getUint16(from, true), unicodeString(stream, view, from + 2, to, false));
        break;
      case XF:
        xfFormats.push(view.getUint16(from + 2, true));
        break;
      case BOUNDSHEET: {
        const offset = view.getUint32(from, true);
        const state = stream[from + 4]! & 0x03;
        const sheetType = stream[from + 5]!;
        const name = unicodeString(stream, view, from + 6, to, true);
        if (sheetType === 0) workbook.sheets.push({ name, state, offset });
        break;
      }
      case SST: {
        const table = sharedStrings(stream, view, from, to);
        workbook.sharedStrings = table.strings;
        at = table.next;
        break;
      }
    }
  }
}

/** RK: a number packed in 32 bits (an integer or the high half of a double, maybe ×100). */
function rkValue(view: DataView, at: number): number {
  const raw = view.getInt32(at, true);
  let value: number;
  if (raw & 0x02) value = raw >> 2;
  else {
    rkScratch.setInt32(4, raw & ~0x03, true);
    rkScratch.setInt32(0, 0, true);
    value = rkScratch.getFloat64(0, true);
  }
  return raw & 0x01 ? value / 100 : value;
}
const rkScratch = new DataView(new ArrayBuffer(8));

/**
 * One worksheet's rows in row order: the substream whose BOF is at `offset`. Cells without a
 * value (blank, error, an empty formula result) are left out.
 */
export function readWorksheet(stream: Buffer, offset: number, workbook: Biff8Workbook): SheetRow[] {
  const view = dataView(stream);
  const [type, start, first] = record(stream, view, offset);
  if (type !== BOF || view.getUint16(start + 2, true) !== SUBSTREAM_WORKSHEET) return [];
  const rows: (CellValue[] | undefined)[] = [];
  const number = (ixfe: number, value: number): CellValue =>
    !Number.isFinite(value) ? null : workbook.dateXfs[ixfe] ? serialToDate(value, workbook.date1904) : value;
  const put = (row: number, column: number, value: CellValue) => {
    if (value === null) return;
    (rows[row] ??= [])[column] = value;
  };
  /** A FORMULA's string result waits for the STRING record after it. */
  let pendingString: [number, number] | undefined;
  let at = first;
  for (;;) {
    const [kind, from, to] = record(stream, view, at);
    at = to;
    if (kind === EOF) break;
    if (kind !== STRING) pendingString = undefined;
    switch (kind) {
      case LABELSST: {
        const shared = workbook.sharedStrings[view.getUint32(from + 6, true)];
        put(view.getUint16(from, true), view.getUint16(from + 2, true), shared === undefined ? null : text(shared));
        break;
      }
      case LABEL:
      case RSTRING:
        put(view.getUint16(from, true), view.getUint16(from + 2, true), text(unicodeString(stream, view, from + 6, to, false)));
        break;
      case NUMBER:
        put(view.getUint16(from, true), view.getUint16(from + 2, true), number(view.getUint16(from + 4, true), view.getFloat64(from + 6, true)));
        break;
      case RK:
        put(view.getUint16(from, true), view.getUint16(from + 2, true), number(view.getUint16(from + 4, true), rkValue(view, from + 6)));
        break;
      case MULRK: {
        const row = view.getUint16(from, true);
        const firstColumn = view.getUint16(from + 2, true);
        const cells = Math.floor((to - from - 6) / 6);
        for (let i = 0; i < cells; i++) {
          const cell = from + 4 + i * 6;
          put(row, firstColumn + i, number(view.getUint16(cell, true), rkValue(view, cell + 2)));
        }
        break;
      }
      case BOOLERR:
        // An error (#N/A…) has no value.
        if (stream[from + 7] === 0) put(view.getUint16(from, true), view.getUint16(from + 2, true), stream[from + 6] !== 0);
        break;
      case FORMULA: {
        const row = view.getUint16(from, true);
        const column = view.getUint16(from + 2, true);
        if (view.getUint16(from + 12, true) !== 0xffff) {
          put(row, column, number(view.getUint16(from + 4, true), view.getFloat64(from + 6, true)));
          break;
        }
        const resultType = stream[from + 6];
        if (resultType === 0) pendingString = [row, column];
        else if (resultType === 1) put(row, column, stream[from + 8] !== 0);
        break;
      }
      case STRING:
        if (pendingString) put(pendingString[0], pendingString[1], text(unicodeString(stream, view, from, to, false)));
        pendingString = undefined;
        break;
    }
  }
  const out: SheetRow[] = [];
  for (let row = 0; row < rows.length; row++) {
    const cells = rows[row];
    if (cells) out.push({ rowNumber: row + 1, cells });
  }
  return out;
}
