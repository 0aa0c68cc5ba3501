import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CsvSplitter, type CsvDelimiter } from './csv.js';

/** csv-parse with readCsvRows' options: its records, and its error if it fails. */
function reference(text: string, delimiter: CsvDelimiter): { records: string[][]; error?: string } {
  const records: string[][] = [];
  try {
    parse(text, {
      delimiter,
      record_delimiter: ['\r\n', '\n', '\r'],
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      bom: false,
      max_record_size: 4 * 1024 * 1024,
      on_record: (record: string[]) => {
        records.push(record);
        return record;
      },
    });
    return { records };
  } catch (err) {
    return { records, error: (err as { code?: string }).code ?? String(err) };
  }
}

/** The splitter over text cut into pieces: its records, and whether it handed over to csv-parse. */
function split(pieces: string[], delimiter: CsvDelimiter): { records: string[][]; bailed: boolean } {
  const splitter = new CsvSplitter(delimiter);
  const records: string[][] = [];
  for (let i = 0; i < pieces.length; i++) {
    const batch = splitter.push(pieces[i]!, i === pieces.length - 1);
    if (typeof batch === 'symbol') return { records, bailed: true };
    records.push(...batch.records);
  }
  return { records, bailed: false };
}

function check(text: string, cuts: number[], delimiter: CsvDelimiter = ','): boolean {
  const pieces: string[] = [];
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    pieces.push(text.slice(from, cut));
    from = cut;
  }
  pieces.push(text.slice(from), ''); // the decoder's final, usually empty, text
  const ours = split(pieces, delimiter);
  const theirs = reference(text, delimiter);
  if (ours.bailed) {
    // What was given before handing over must be what csv-parse gives first.
    expect(theirs.records.slice(0, ours.records.length)).toEqual(ours.records);
  } else {
    expect(theirs.error).toBeUndefined();
    expect(ours.records).toEqual(theirs.records);
  }
  return ours.bailed;
}

describe('CsvSplitter (the fast path of readCsvRows) against csv-parse', () => {
  it.each([
    ['plain', 'a,b,c\nd,e,f\n'],
    ['CRLF, no final newline', 'a,b\r\nc,d'],
    ['CR only', 'a,b\rc,d\r'],
    ['blank lines', '\n\na,b\n\r\n\n'],
    ['quoted with delimiter, newline and ""', 'x,"a,b\r\nc ""d""",y\n"",""""\n'],
    ['quote inside an unquoted field', 'a"b,c""d\n王"芳",x\n'],
    ['trailing delimiter', 'a,\n,\n,'],
    ['quoted field at the very end', 'a,"b"'],
    ['quoted then CR', '"a"\r"b"\r\n'],
    ['spaces kept', ' a , "b" \n'],
  ])('%s', (_name, text) => {
    for (let cut = 0; cut <= text.length; cut++) check(text, [cut]);
  });

  it('hands over to csv-parse for what it does not do itself', () => {
    expect(check('a,b\n"unclosed,c\n', [])).toBe(true);
    expect(check('a,b\n"closed"then,c\n', [])).toBe(true);
    expect(check('a,b\nbad \uFFFD,c\n', [])).toBe(true);
  });

  it('agrees on random text cut at random places', () => {
    const alphabet = [
      ...['a', 'b', ' ', '王', 'a', 'b', ' ', '王', ',', ';', '\t', ',', ';', '\t', '\n', '\r\n', '\n', '\r\n'],
      ...['"', '""', '\r', '\0', '\uFFFD'],
    ];
    let seed = 42;
    const random = (n: number) => {
      // mulberry32
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
    };
    let bailed = 0;
    const runs = 20_000;
    for (let run = 0; run < runs; run++) {
      let text = '';
      const length = random(30);
      // Every other text without the characters that always hand over (NUL after a quote, U+FFFD).
      for (let i = 0; i < length; i++) text += alphabet[random(run % 2 === 0 ? alphabet.length - 2 : alphabet.length)];
      const cuts = Array.from({ length: random(4) }, () => random(text.length + 1));
      const delimiter = (['\t', ';', ','] as const)[random(3)]!;
      if (check(text, cuts, delimiter)) bailed++;
    }
    // Most random text is still read by the fast path, and both paths are exercised.
    expect(bailed).toBeLessThan(runs / 2);
    expect(bailed).toBeGreaterThan(runs / 20);
  });
});
