import { describe, expect, it } from 'vitest';
import {
  MAX_PENDING_CHARS,
  SharedStringsParser,
  SheetRowParser,
  XlsxFormatError,
  columnOf,
  decodeCellText,
  isBuiltInDateFormat,
  isDateFormatCode,
  parseRelationships,
  parseStyles,
  parseWorkbook,
  type SheetContext,
} from './xlsx-parts.js';
import type { SheetRow } from './types.js';
import { serialToDate } from './workers/cell-values.mjs';

const utcDay = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d));

/** Feeds `xml` to `push` in pieces of `size` characters (every size from 1 up tests every cut). */
function inPieces<T>(xml: string, size: number, push: (chunk: string) => T[], end: () => T[]): T[] {
  const out: T[] = [];
  for (let at = 0; at < xml.length; at += size) out.push(...push(xml.slice(at, at + size)));
  out.push(...end());
  return out;
}

describe('number formats', () => {
  it.each([
    ['yyyy-mm-dd', true],
    ['yyyy"年"m"月"d"日"', true],
    ['[$-F800]dddd, mmmm dd, yyyy', true],
    ['h:mm AM/PM', true],
    ['[$-404]e/m/d', true],
    ['General', false],
    ['0.00E+00', false],
    ['#,##0.00_);[Red](#,##0.00)', false],
    ['0 "days"', false],
    ['@', false],
    ['0.0\\s', false],
  ])('%s shows a date: %s', (code, expected) => {
    expect(isDateFormatCode(code)).toBe(expected);
  });

  it('knows the built-in date formats, the CJK locales\' included', () => {
    expect([14, 22, 27, 31, 36, 45, 50, 58].every(isBuiltInDateFormat)).toBe(true);
    expect([0, 1, 2, 9, 11, 23, 37, 44, 49, 59, 164].some(isBuiltInDateFormat)).toBe(false);
  });
});

describe('text', () => {
  it('decodes XML references and SpreadsheetML escapes', () => {
    expect(decodeCellText('a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#29579;&#x82B3;')).toBe('a & b <c> "d" \'e\' 王芳');
    expect(decodeCellText('第一行_x000D_\n第二行')).toBe('第一行\r\n第二行');
    expect(decodeCellText('no escapes here')).toBe('no escapes here');
  });

  it('reads cell references', () => {
    expect(['A1', 'B12', 'Z3', 'AA1', 'AZ9', 'XFD1048576', 'c7'].map(columnOf)).toEqual([0, 1, 25, 26, 51, 16383, 2]);
    expect(columnOf('12')).toBe(-1);
  });

  it('turns Excel serials into the day Excel shows', () => {
    expect(serialToDate(32309, false)).toEqual(utcDay(1988, 6, 15));
    expect(serialToDate(32309.75, false)).toEqual(utcDay(1988, 6, 15));
    expect(serialToDate(60, false)).toEqual(utcDay(1900, 3, 1)); // Excel's fictitious 1900-02-29
    expect(serialToDate(59, false)).toEqual(utcDay(1900, 2, 28));
    expect(serialToDate(30847, true)).toEqual(utcDay(1988, 6, 15));
    expect(serialToDate(-1, false)).toBe(-1);
    expect(serialToDate(3e6, false)).toBe(3e6);
  });
});

describe('package parts', () => {
  it('reads relationships, leaving out external targets', () => {
    const xml = `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
      <Relationship Id="rId1" Type="http://x/worksheet" Target="worksheets/sheet1.xml"/>
      <!-- <Relationship Id="rId9" Type="commented" Target="out"/> -->
      <Relationship Target='sharedStrings.xml' Id='rId2' Type='http://x/sharedStrings'/>
      <Relationship Id="rId3" Type="http://x/hyperlink" Target="http://example.invalid/" TargetMode="External"/>
    </Relationships>`;
    expect(parseRelationships(xml)).toEqual([
      { id: 'rId1', type: 'http://x/worksheet', target: 'worksheets/sheet1.xml' },
      { id: 'rId2', type: 'http://x/sharedStrings', target: 'sharedStrings.xml' },
    ]);
  });

  it('reads the workbook: sheets in order with their state, and the 1904 date system', () => {
    const xml = `<x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:rel="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
      <x:workbookPr date1904="1"/><x:sheets><x:sheet name="说明" sheetId="1" state="hidden" rel:id="rId1"/><x:sheet name="A &amp; B" sheetId="2" rel:id="rId2"/></x:sheets></x:workbook>`;
    expect(parseWorkbook(xml)).toEqual({
      date1904: true,
      sheets: [
        { name: '说明', relationshipId: 'rId1', state: 'hidden' },
        { name: 'A & B', relationshipId: 'rId2', state: 'visible' },
      ],
    });
    expect(parseWorkbook('<workbook><workbookPr date1904="false"/><sheets/></workbook>').date1904).toBe(false);
  });

  it('reads which cell formats are dates: custom and built-in formats, cellXfs only', () => {
    const xml = `<styleSheet><numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/><numFmt numFmtId="165" formatCode="0.00&quot;元&quot;"/></numFmts>
      <cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>
      <cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"><alignment horizontal="center"/></xf><xf numFmtId="165"/><xf numFmtId="14"/><xf numFmtId="31"/><xf numFmtId="49"/></cellXfs></styleSheet>`;
    expect(parseStyles(xml)).toEqual([false, true, false, true, true, false]);
  });
});

describe('shared strings', () => {
  const xml = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="6" uniqueCount="6"><si><t>王芳</t></si><si><r><t>王</t></r><r><rPr><b/></rPr><t xml:space="preserve">芳 </t></r></si><si><t>漢字</t><rPh sb="0" eb="2"><t>かんじ</t></rPh></si><si/><si><t><![CDATA[a<b]]></t></si><si><t>A &amp; B_x000D_</t></si></sst>`;
  const expected = ['王芳', '王芳 ', '漢字', '', 'a<b', 'A & B\r'];

  it('reads plain, rich and phonetic strings, empty items, CDATA and escapes', () => {
    const parser = new SharedStringsParser();
    parser.push(xml);
    expect(parser.end()).toEqual(expected);
  });

  it('gives the same strings however the part is cut into chunks', () => {
    for (let size = 1; size <= 40; size++) {
      const parser = new SharedStringsParser();
      for (let at = 0; at < xml.length; at += size) parser.push(xml.slice(at, at + size));
      expect(parser.end()).toEqual(expected);
    }
  });

  it('rejects a part that ends inside a string', () => {
    const parser = new SharedStringsParser();
    parser.push('<sst><si><t>王芳</t></si><si><t>李');
    expect(() => parser.end()).toThrow(XlsxFormatError);
  });
});

describe('sheet rows', () => {
  const context: SheetContext = { sharedStrings: ['姓名', '  王芳 ', '   '], dateStyles: [false, true], date1904: false };
  const sheet = `<?xml version="1.0" encoding="UTF-8"?>
<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:dimension ref="A1:F5"/><x:sheetData>
<x:row r="1" spans="1:6"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="inlineStr"><x:is><x:t>备注</x:t></x:is></x:c></x:row>
<x:row r="2"><x:c r="A2" t="s"><x:v>1</x:v></x:c><x:c r="B2" s="1"><x:v>32309</x:v></x:c><x:c r="C2"><x:v>410105199003071200</x:v></x:c><x:c r="D2" t="b"><x:v>1</x:v></x:c><x:c r="E2" t="e"><x:v>#N/A</x:v></x:c><x:c r="F2" t="str"><x:f>A2&amp;"x"</x:f><x:v>王芳x</x:v></x:c></x:row>
<x:row r="3"/>
<x:row r="5"><x:c r="B5" t="s"><x:v>2</x:v></x:c><x:c r="C5"/><x:c r="D5" s="1"><x:f>B2+1</x:f><x:v>32310</x:v></x:c><x:c r="E5" t="d"><x:v>2026-10-31T00:00:00</x:v></x:c></x:row>
<row><c><v>1</v></c><c/><c><v>3.5</v></c><c t="s"><v></v></c><c><v> </v></c></row>
</x:sheetData><x:mergeCells count="1"><x:mergeCell ref="A1:F1"/></x:mergeCells></x:worksheet>`;
  const expected: SheetRow[] = [
    { rowNumber: 1, cells: ['姓名', '备注'] },
    // an error cell (#N/A) has no value
    { rowNumber: 2, cells: ['王芳', utcDay(1988, 6, 15), 410105199003071200, true, undefined, '王芳x'] as SheetRow['cells'] },
    { rowNumber: 5, cells: [undefined, undefined, undefined, utcDay(1988, 6, 16), utcDay(2026, 10, 31)] as SheetRow['cells'] },
    { rowNumber: 6, cells: [1, undefined, 3.5] as SheetRow['cells'] },
  ];

  const parseWhole = (xml: string, ctx = context) => {
    const parser = new SheetRowParser(ctx);
    return [...parser.push(xml), ...parser.end()];
  };

  it('reads values of every cell type, prefixed or not, with and without references', () => {
    expect(parseWhole(sheet)).toEqual(expected);
  });

  it('gives the same rows however the part is cut into chunks', () => {
    for (let size = 1; size <= 64; size++) {
      const parser = new SheetRowParser(context);
      expect(inPieces(sheet, size, (c) => parser.push(c), () => parser.end())).toEqual(expected);
    }
  });

  it('reads dates in the 1904 system', () => {
    const rows = parseWhole('<sheetData><row r="1"><c r="A1" s="1"><v>30847</v></c></row></sheetData>', { ...context, date1904: true });
    expect(rows).toEqual([{ rowNumber: 1, cells: [utcDay(1988, 6, 15)] }]);
  });

  it('rejects a sheet that ends inside a row, a cell left open and a bad row number', () => {
    expect(() => parseWhole('<sheetData><row r="1"><c r="A1"><v>1</v></c>')).toThrow(/ends inside a row/);
    expect(() => parseWhole('<sheetData><row r="1"><c r="A1"><v>1</v></row></sheetData>')).toThrow(/not closed/);
    expect(() => parseWhole('<sheetData><row r="x1"><c r="A1"><v>1</v></c></row></sheetData>')).toThrow(/invalid row number/);
  });

  it('gives up on an element that never ends instead of searching it again for ever', () => {
    const parser = new SheetRowParser(context, 4096);
    parser.push('<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>');
    const piece = '王'.repeat(1000);
    expect(() => {
      for (let i = 0; i < 5; i++) parser.push(piece);
    }).toThrow(/a row longer than 4,096 characters never ends/);
    const strings = new SharedStringsParser(4096);
    strings.push('<sst><si><t>');
    expect(() => {
      for (let i = 0; i < 5; i++) strings.push(piece);
    }).toThrow(/a shared string longer than 4,096 characters never ends/);
    expect(MAX_PENDING_CHARS).toBe(32 * 1024 * 1024);
  });
});
