/**
 * The parts of an .xlsx package the reader needs, parsed by hand: relationships, the workbook
 * (sheets, date system), the styles (which cell formats are dates), the shared strings and the
 * worksheet's rows. Pure: text in, values out; the worker (workers/xlsx-worker.mjs) does the
 * unzipping. exceljs's streaming reader did this before at ~23,000 rows/s and ~200 ms of
 * start-up per file; the seed district's police sheet is read here in a fraction of that.
 *
 * Only what SpreadsheetML says about cell values is read; everything else (formatting,
 * merged cells, formulas' text) is skipped. Element names are compared without their
 * namespace prefix (`<x:row>` from the OpenXML SDK is a row).
 */
import type { CellValue, SheetRow } from './types.js';
import { serialToDate, text } from './workers/cell-values.mjs';

/** What a sheet's cells are read against. */
export interface SheetContext {
  sharedStrings: readonly string[];
  /** By cell format index (a cell's `s`): whether its number format shows a date. */
  dateStyles: readonly boolean[];
  date1904: boolean;
}

export class XlsxFormatError extends Error {}

// ---------------------------------------------------------------------------------------------
// Small parts: read whole, scanned tag by tag.

export interface XmlTag {
  /** Local name, without a namespace prefix. */
  name: string;
  closing: boolean;
  selfClosing: boolean;
  attributes: Map<string, string>;
}

const TAG = /<(\/?)(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
const ATTRIBUTE = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** The tags of a small XML document in order (comments and CDATA sections skipped). */
export function* xmlTags(xml: string): Generator<XmlTag> {
  const source = xml.includes('<!') ? xml.replace(/<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>/g, '') : xml;
  for (const match of source.matchAll(TAG)) {
    const attributes = new Map<string, string>();
    for (const a of match[3]!.matchAll(ATTRIBUTE)) {
      attributes.set(localName(a[1]!), decodeXml(a[2] ?? a[3] ?? ''));
    }
    yield { name: match[2]!, closing: match[1] === '/', selfClosing: match[4] === '/', attributes };
  }
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

export interface Relationship {
  id: string;
  type: string;
  target: string;
}

export function parseRelationships(xml: string): Relationship[] {
  const out: Relationship[] = [];
  for (const tag of xmlTags(xml)) {
    if (tag.closing || tag.name !== 'Relationship') continue;
    if (tag.attributes.get('TargetMode') === 'External') continue;
    out.push({ id: tag.attributes.get('Id') ?? '', type: tag.attributes.get('Type') ?? '', target: tag.attributes.get('Target') ?? '' });
  }
  return out;
}

export interface WorkbookInfo {
  date1904: boolean;
  sheets: { name: string; relationshipId: string; state: string }[];
}

export function parseWorkbook(xml: string): WorkbookInfo {
  const info: WorkbookInfo = { date1904: false, sheets: [] };
  for (const tag of xmlTags(xml)) {
    if (tag.closing) continue;
    if (tag.name === 'workbookPr') info.date1904 = isTrue(tag.attributes.get('date1904'));
    else if (tag.name === 'sheet') {
      info.sheets.push({
        name: tag.attributes.get('name') ?? '',
        // r:id, whatever the prefix bound to the relationships namespace
        relationshipId: tag.attributes.get('id') ?? '',
        state: tag.attributes.get('state') ?? 'visible',
      });
    }
  }
  return info;
}

const isTrue = (value: string | undefined) => value === '1' || value === 'true';

/**
 * Built-in number formats that show dates or times: 14-22 everywhere, and in the Chinese,
 * Japanese and Korean locales 27-36 and 50-58 (`yyyy"年"m"月"d"日"` is 31 in a Chinese Excel).
 */
export function isBuiltInDateFormat(id: number): boolean {
  return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) || (id >= 50 && id <= 58);
}

/**
 * Whether a number format code shows a date or time: a y, m, d, h, s or e (era year) outside
 * quoted text, brackets, escapes and fills. `General` and scientific notation's E are not.
 */
export function isDateFormatCode(code: string): boolean {
  const bare = code
    .replace(/"[^"]*"/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\\./g, '')
    .replace(/[_*]./g, '')
    .replace(/General/gi, '')
    .replace(/E[+-]/g, '');
  return /[ymdhse]/i.test(bare);
}

/** For each cell format (`cellXfs`, indexed by a cell's `s`), whether it shows a date. */
export function parseStyles(xml: string): boolean[] {
  const customFormats = new Map<number, string>();
  const dateStyles: boolean[] = [];
  let inCellXfs = false;
  let xfDepth = 0;
  const formats: number[] = [];
  for (const tag of xmlTags(xml)) {
    if (tag.name === 'numFmt' && !tag.closing) {
      customFormats.set(Number(tag.attributes.get('numFmtId')), tag.attributes.get('formatCode') ?? '');
    } else if (tag.name === 'cellXfs') {
      inCellXfs = !tag.closing && !tag.selfClosing;
    } else if (tag.name === 'xf' && inCellXfs) {
      if (tag.closing) xfDepth--;
      else {
        // An xf's own children (alignment, protection) are not xfs; nested xfs do not occur.
        if (xfDepth === 0) formats.push(Number(tag.attributes.get('numFmtId') ?? 0));
        if (!tag.selfClosing) xfDepth++;
      }
    }
  }
  for (const id of formats) {
    const custom = customFormats.get(id);
    dateStyles.push(custom !== undefined ? isDateFormatCode(custom) : isBuiltInDateFormat(id));
  }
  return dateStyles;
}

// ---------------------------------------------------------------------------------------------
// Text.

const ENTITY = /&(?:(amp|lt|gt|quot|apos)|#(\d+)|#x([0-9a-fA-F]+));/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntity(whole: string, named: string | undefined, decimal: string | undefined, hex: string | undefined): string {
  if (named) return NAMED[named]!;
  const code = decimal !== undefined ? Number(decimal) : parseInt(hex!, 16);
  return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
}

/** XML character and entity references decoded. */
export function decodeXml(text: string): string {
  return text.includes('&') ? text.replace(ENTITY, decodeEntity) : text;
}

const ESCAPED_CHARACTER = /_x([0-9A-Fa-f]{4})_/g;

/**
 * A string item's text: XML references, then SpreadsheetML's `_xHHHH_` escapes for characters
 * XML cannot carry (Excel writes a line break in a cell as `_x000D_`; a literal `_x` as `_x005F_x`).
 */
export function decodeCellText(text: string): string {
  const decoded = decodeXml(text);
  return decoded.includes('_x') ? decoded.replace(ESCAPED_CHARACTER, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : decoded;
}

// ---------------------------------------------------------------------------------------------
// Streamed parts: the shared strings and the sheet, fed in chunks as they are inflated. Each
// element is parsed once complete; what follows the last complete one waits for the next chunk.

const GT = 0x3e; // >
const SLASH = 0x2f;
const COLON = 0x3a;
const QUESTION = 0x3f;
const BANG = 0x21;

/** End of the tag opened at `at` ('>' index), or -1 when the text ends first. Quoted '>' skipped. */
function tagEnd(xml: string, at: number): number {
  let quote = 0;
  for (let i = at + 1; i < xml.length; i++) {
    const c = xml.charCodeAt(i);
    if (quote) {
      if (c === quote) quote = 0;
    } else if (c === 0x22 || c === 0x27) quote = c;
    else if (c === GT) return i;
  }
  return -1;
}

/** Where a tag's name ends (whitespace, '/' or '>'). */
function nameEnd(xml: string, from: number): number {
  let i = from;
  for (; i < xml.length; i++) {
    const c = xml.charCodeAt(i);
    if (c <= 0x20 || c === SLASH || c === GT) break;
  }
  return i;
}

/** Whether the tag name at [from, to) has the local name `local`. */
function isName(xml: string, from: number, to: number, local: string): boolean {
  const n = local.length;
  if (to - from < n) return false;
  if (to - from > n && xml.charCodeAt(to - n - 1) !== COLON) return false;
  return xml.startsWith(local, to - n);
}

/** A skipped construct (comment, CDATA, processing instruction, doctype) at `at`: where it ends, -1 if unfinished. */
function skipSpecial(xml: string, at: number): number {
  const next = xml.charCodeAt(at + 1);
  if (next === QUESTION) {
    const end = xml.indexOf('?>', at + 2);
    return end < 0 ? -1 : end + 2;
  }
  if (xml.startsWith('<!--', at)) {
    const end = xml.indexOf('-->', at + 4);
    return end < 0 ? -1 : end + 3;
  }
  if (xml.startsWith('<![CDATA[', at)) {
    const end = xml.indexOf(']]>', at + 9);
    return end < 0 ? -1 : end + 3;
  }
  const end = tagEnd(xml, at);
  return end < 0 ? -1 : end + 1;
}

/** The value of attribute `local` (no prefix) in the tag text [from, to), undecoded; undefined if absent. */
function attribute(xml: string, from: number, to: number, local: string): string | undefined {
  let i = from;
  while (i < to) {
    const c = xml.charCodeAt(i);
    if (c <= 0x20 || c === SLASH) {
      i++;
      continue;
    }
    const eq = xml.indexOf('=', i);
    if (eq < 0 || eq >= to) return undefined;
    let nameTo = eq;
    while (nameTo > i && xml.charCodeAt(nameTo - 1) <= 0x20) nameTo--;
    let q = eq + 1;
    while (q < to && xml.charCodeAt(q) <= 0x20) q++;
    const quote = xml.charCodeAt(q);
    const close = xml.indexOf(quote === 0x27 ? "'" : '"', q + 1);
    if (close < 0 || close > to) return undefined;
    if (isName(xml, i, nameTo, local)) return xml.slice(q + 1, close);
    i = close + 1;
  }
  return undefined;
}

/**
 * The text inside `<t>` elements between `from` and `to`, concatenated, leaving out phonetic
 * runs (`<rPh>`, the furigana of Japanese files). Used for shared strings and inline strings.
 */
function runsText(xml: string, from: number, to: number): string {
  let out = '';
  let phonetic = 0;
  let i = xml.indexOf('<', from);
  while (i >= 0 && i < to) {
    const end = tagEnd(xml, i);
    if (end < 0 || end > to) break;
    const closing = xml.charCodeAt(i + 1) === SLASH;
    const nameFrom = closing ? i + 2 : i + 1;
    const nameTo = nameEnd(xml, nameFrom);
    const selfClosing = xml.charCodeAt(end - 1) === SLASH;
    if (isName(xml, nameFrom, nameTo, 'rPh')) {
      if (!selfClosing) phonetic += closing ? -1 : 1;
    } else if (!closing && !selfClosing && phonetic === 0 && isName(xml, nameFrom, nameTo, 't')) {
      const close = xml.indexOf('<', end + 1);
      if (close < 0 || close > to) break;
      if (xml.startsWith('<![CDATA[', close)) {
        const cdataEnd = xml.indexOf(']]>', close + 9);
        out += xml.slice(close + 9, cdataEnd);
        i = xml.indexOf('<', cdataEnd + 3);
        continue;
      }
      out += xml.slice(end + 1, close);
      i = close;
      continue;
    }
    i = xml.indexOf('<', end + 1);
  }
  return decodeCellText(out);
}

/**
 * Most text an unfinished element may hold while the next chunk is awaited. Excel's limits
 * (32,767 characters per cell, 16,384 columns) keep real rows far below it; without a bound, a
 * part that never closes its element would be searched again from its start on every chunk.
 */
export const MAX_PENDING_CHARS = 32 * 1024 * 1024;

function pending(rest: string, what: string, max: number): string {
  if (rest.length > max) throw new XlsxFormatError(`${what} longer than ${max.toLocaleString('en-US')} characters never ends`);
  return rest;
}

/** The shared strings part, fed in chunks. */
export class SharedStringsParser {
  readonly strings: string[] = [];
  private carry = '';

  constructor(private readonly maxPending = MAX_PENDING_CHARS) {}

  push(chunk: string): void {
    const xml = this.carry + chunk;
    this.carry = pending(xml.slice(this.parse(xml)), 'a shared string', this.maxPending);
  }

  /** The strings, once the part has ended. */
  end(): string[] {
    const rest = this.carry;
    this.carry = '';
    if (/<(?:\w+:)?si[\s/>]/.test(rest.slice(this.parse(rest)))) throw new XlsxFormatError('the shared strings part ends inside a string');
    return this.strings;
  }

  /** Parses complete string items; returns where the unparsed rest starts. */
  private parse(xml: string): number {
    return scanElements(xml, 'si', (end) => {
      if (xml.charCodeAt(end - 1) === SLASH) {
        this.strings.push('');
        return end + 1;
      }
      const close = closingTag(xml, end + 1, 'si');
      if (close < 0) return -1;
      this.strings.push(runsText(xml, end + 1, close));
      return xml.indexOf('>', close) + 1;
    });
  }
}

/**
 * Scans `xml` for the elements named `local`, skipping every other tag (and comments, CDATA,
 * processing instructions); each is handed to `element` with the index of its start tag's '>'
 * and the end of its name, and says where it ends, or -1 when the text ends first. Returns
 * where the unparsed rest starts: at an unfinished tag or element, else the end (text between
 * elements says nothing).
 */
function scanElements(xml: string, local: string, element: (end: number, nameTo: number) => number): number {
  let i = xml.indexOf('<');
  while (i >= 0) {
    const c1 = xml.charCodeAt(i + 1);
    if (c1 === QUESTION || c1 === BANG) {
      const after = skipSpecial(xml, i);
      if (after < 0) return i;
      i = xml.indexOf('<', after);
      continue;
    }
    const end = tagEnd(xml, i);
    if (end < 0) return i;
    const nameFrom = c1 === SLASH ? i + 2 : i + 1;
    const nameTo = nameEnd(xml, nameFrom);
    let after = end + 1;
    if (c1 !== SLASH && isName(xml, nameFrom, nameTo, local)) {
      after = element(end, nameTo);
      if (after < 0) return i;
    }
    i = xml.indexOf('<', after);
  }
  return xml.length;
}

/** Index of the closing tag `</[prefix:]local>` at or after `from`, or -1 (also when its '>' is not there yet). */
function closingTag(xml: string, from: number, local: string): number {
  let i = xml.indexOf('</', from);
  while (i >= 0) {
    const nameTo = nameEnd(xml, i + 2);
    if (isName(xml, i + 2, nameTo, local)) return xml.indexOf('>', nameTo) < 0 ? -1 : i;
    i = xml.indexOf('</', i + 2);
  }
  return -1;
}

/** Zero-based column of a cell reference ('B12' → 1), or -1 when it has no letters. */
export function columnOf(ref: string): number {
  let column = 0;
  let i = 0;
  for (; i < ref.length; i++) {
    const c = ref.charCodeAt(i) | 0x20; // lower case
    if (c < 0x61 || c > 0x7a) break;
    column = column * 26 + (c - 0x60);
  }
  return i === 0 ? -1 : column - 1;
}

/** A worksheet part, fed in chunks; each push returns the rows it completed. */
export class SheetRowParser {
  private carry = '';
  private lastRow = 0;

  constructor(
    private readonly context: SheetContext,
    private readonly maxPending = MAX_PENDING_CHARS,
  ) {}

  push(chunk: string): SheetRow[] {
    const rows: SheetRow[] = [];
    const xml = this.carry + chunk;
    this.carry = pending(xml.slice(this.parse(xml, rows)), 'a row', this.maxPending);
    return rows;
  }

  /** The rows left once the part has ended; a row left unfinished means a damaged file. */
  end(): SheetRow[] {
    const rows: SheetRow[] = [];
    const rest = this.carry;
    this.carry = '';
    const at = this.parse(rest, rows);
    if (/<(?:\w+:)?row[\s/>]/.test(rest.slice(at))) throw new XlsxFormatError('the sheet ends inside a row');
    return rows;
  }

  /** Parses complete rows into `rows`; returns where the unparsed rest starts. */
  private parse(xml: string, rows: SheetRow[]): number {
    return scanElements(xml, 'row', (end, nameTo) => this.row(xml, nameTo, end, rows));
  }

  /** The row whose start tag ends at `end`: parsed into `rows`; returns where it ends, or -1 when unfinished. */
  private row(xml: string, attrsFrom: number, end: number, rows: SheetRow[]): number {
    const selfClosing = xml.charCodeAt(end - 1) === SLASH;
    const close = selfClosing ? end + 1 : closingTag(xml, end + 1, 'row');
    if (close < 0) return -1;
    const ref = attribute(xml, attrsFrom, end, 'r');
    let rowNumber: number;
    if (ref === undefined) rowNumber = this.lastRow + 1;
    else {
      rowNumber = Number(ref);
      if (!Number.isInteger(rowNumber) || rowNumber < 1) throw new XlsxFormatError(`a row has an invalid row number ("${ref}")`);
    }
    this.lastRow = rowNumber;
    if (selfClosing) return end + 1;
    const cells = this.cells(xml, end + 1, close);
    if (cells.length) rows.push({ rowNumber, cells });
    return xml.indexOf('>', close) + 1;
  }

  /** The cells between a row's tags. */
  private cells(xml: string, from: number, to: number): CellValue[] {
    const cells: CellValue[] = [];
    let column = -1;
    let i = xml.indexOf('<', from);
    while (i >= 0 && i < to) {
      const end = tagEnd(xml, i);
      if (end < 0 || end > to) throw new XlsxFormatError(`row ${this.lastRow} has an unfinished tag`);
      const nameTo = nameEnd(xml, i + 1);
      if (!isName(xml, i + 1, nameTo, 'c')) {
        i = xml.indexOf('<', end + 1);
        continue;
      }
      const ref = attribute(xml, nameTo, end, 'r');
      const at = ref === undefined ? -1 : columnOf(ref);
      column = at >= 0 ? at : column + 1;
      if (xml.charCodeAt(end - 1) === SLASH) {
        i = xml.indexOf('<', end + 1);
        continue;
      }
      const close = closingTag(xml, end + 1, 'c');
      if (close < 0 || close > to) throw new XlsxFormatError(`row ${this.lastRow} has a cell that is not closed`);
      const value = this.value(xml, nameTo, end, close);
      if (value !== null) cells[column] = value;
      i = xml.indexOf('<', close + 3);
    }
    return cells;
  }

  /** A cell's value: its start tag's attributes [attrsFrom, attrsTo), its content up to `close`. */
  private value(xml: string, attrsFrom: number, attrsTo: number, close: number): CellValue {
    const type = attribute(xml, attrsFrom, attrsTo, 't');
    if (type === 'inlineStr') {
      const is = childStart(xml, attrsTo + 1, close, 'is');
      return is < 0 ? null : text(runsText(xml, is, close));
    }
    const v = childStart(xml, attrsTo + 1, close, 'v');
    if (v < 0) return null;
    const raw = xml.slice(v, xml.indexOf('<', v));
    // An empty value is no value, whatever the type says (Number('') would be 0).
    if (raw.trim() === '') return null;
    switch (type) {
      case 's': {
        const shared = this.context.sharedStrings[Number(raw)];
        return shared === undefined ? null : text(shared);
      }
      case 'str':
        return text(decodeCellText(raw));
      case 'b':
        return raw.trim() === '1' || raw.trim() === 'true';
      case 'e':
        return null;
      case 'd': {
        const day = /^\s*(\d{4})-(\d{2})-(\d{2})/.exec(raw);
        return day ? new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]))) : null;
      }
      default: {
        const number = Number(raw);
        if (!Number.isFinite(number)) return null;
        const style = attribute(xml, attrsFrom, attrsTo, 's');
        return style !== undefined && this.context.dateStyles[Number(style)] ? serialToDate(number, this.context.date1904) : number;
      }
    }
  }
}

/** Where the content of the first child `local` in [from, to) starts (after its start tag), or -1. */
function childStart(xml: string, from: number, to: number, local: string): number {
  let i = xml.indexOf('<', from);
  while (i >= 0 && i < to) {
    const end = tagEnd(xml, i);
    if (end < 0 || end > to) return -1;
    if (xml.charCodeAt(i + 1) !== SLASH) {
      const nameTo = nameEnd(xml, i + 1);
      if (isName(xml, i + 1, nameTo, local)) return xml.charCodeAt(end - 1) === SLASH ? -1 : end + 1;
    }
    i = xml.indexOf('<', end + 1);
  }
  return -1;
}
