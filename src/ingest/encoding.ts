import { Transform } from 'node:stream';

/**
 * Text encodings of CSV exports. Chinese Windows Excel saves "CSV" as GBK (read here as
 * GB18030, its superset); web systems export UTF-8, often with a BOM; Excel's "Unicode text"
 * is UTF-16LE with a BOM.
 */
export type TextEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'gb18030';

export interface DetectedEncoding {
  encoding: TextEncoding;
  /** Bytes of byte-order mark at the start of the file, to skip. */
  bomLength: number;
}

/** Bytes looked at to decide the encoding (and, in open.ts, the format). */
export const SNIFF_BYTES = 64 * 1024;

const TEXT_DECODER_LABEL: Record<TextEncoding, string> = {
  'utf-8': 'utf-8',
  'utf-8-bom': 'utf-8',
  'utf-16le': 'utf-16le',
  'utf-16be': 'utf-16be',
  gb18030: 'gb18030',
};

/** The byte-order mark at the start of `bytes`, if any. */
export function detectBom(bytes: Uint8Array): DetectedEncoding | undefined {
  const [b0, b1, b2, b3] = bytes;
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) return { encoding: 'utf-8-bom', bomLength: 3 };
  if (b0 === 0xff && b1 === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (b0 === 0xfe && b1 === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  // GB18030's own BOM (U+FEFF encoded as 84 31 95 33): rare, but unambiguous.
  if (b0 === 0x84 && b1 === 0x31 && b2 === 0x95 && b3 === 0x33) return { encoding: 'gb18030', bomLength: 4 };
  return undefined;
}

/** True when every byte is 7-bit ASCII (then UTF-8 and GB18030 read the same). */
export function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! > 0x7f) return false;
  return true;
}

/** Index of the first byte above 0x7F, or -1. */
export function firstNonAscii(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! > 0x7f) return i;
  return -1;
}

/**
 * Strict UTF-8 check. With `complete: false` (a sample cut from a longer file) a multi-byte
 * character cut at the end of the sample is not held against it.
 */
export function isValidUtf8(bytes: Uint8Array, complete: boolean): boolean {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  try {
    decoder.decode(bytes, { stream: !complete });
    return true;
  } catch {
    return false;
  }
}

/**
 * BOM → strict UTF-8 → GB18030. Statistical detectors (chardet, jschardet) misread short GBK
 * samples such as a single `王芳` row as Shift_JIS or Johab; strict UTF-8 does not: GBK text
 * is almost never valid UTF-8.
 *
 * @param sample the first bytes of the file (up to SNIFF_BYTES)
 * @param complete true when `sample` is the whole file
 */
export function detectEncoding(sample: Uint8Array, complete: boolean): DetectedEncoding {
  const bom = detectBom(sample);
  if (bom) return bom;
  return { encoding: isValidUtf8(sample, complete) ? 'utf-8' : 'gb18030', bomLength: 0 };
}

/** Decodes a whole buffer (BOM skipped). Invalid bytes become U+FFFD. */
export function decodeBytes(bytes: Uint8Array, detected: DetectedEncoding, complete = true): string {
  const decoder = new TextDecoder(TEXT_DECODER_LABEL[detected.encoding], { ignoreBOM: true });
  return decoder.decode(bytes.subarray(detected.bomLength), { stream: !complete });
}

/**
 * A streaming bytes → text transform (TextDecoder with `stream: true`, so a character split
 * between two chunks is decoded whole). The BOM must already be skipped by the caller. Emits
 * strings (object mode). Invalid bytes become U+FFFD, which the CSV reader reports.
 */
export function createDecoderStream(encoding: TextEncoding): Transform {
  const decoder = new TextDecoder(TEXT_DECODER_LABEL[encoding], { ignoreBOM: true });
  return new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _enc, callback) {
      const text = decoder.decode(chunk, { stream: true });
      if (text) this.push(text);
      callback();
    },
    flush(callback) {
      const text = decoder.decode();
      if (text) this.push(text);
      callback();
    },
  });
}

/**
 * GB18030-2005 put 18 characters in the Private Use Area that GB18030-2022 (and TextDecoder)
 * map to standard code points; iconv-lite and text that went through older GBK tables still
 * carry the PUA ones (e.g. FE59 → U+E81E instead of U+9FB4 龴). Matching must see one form.
 */
const GB18030_PUA_TO_STANDARD: ReadonlyMap<string, string> = new Map([
  ['\uE78D', '\uFE10'],
  ['\uE78E', '\uFE12'],
  ['\uE78F', '\uFE11'],
  ['\uE790', '\uFE13'],
  ['\uE791', '\uFE14'],
  ['\uE792', '\uFE15'],
  ['\uE793', '\uFE16'],
  ['\uE794', '\uFE17'],
  ['\uE795', '\uFE18'],
  ['\uE796', '\uFE19'],
  ['\uE81E', '\u9FB4'],
  ['\uE826', '\u9FB5'],
  ['\uE82B', '\u9FB6'],
  ['\uE82C', '\u9FB7'],
  ['\uE832', '\u9FB8'],
  ['\uE843', '\u9FB9'],
  ['\uE854', '\u9FBA'],
  ['\uE864', '\u9FBB'],
]);

const GB18030_PUA_RE = /[\uE78D-\uE796\uE81E\uE826\uE82B\uE82C\uE832\uE843\uE854\uE864]/g;

/** Replaces the GB18030-2005 private-use code points by their standard characters. */
export function mapGb18030PrivateUse(text: string): string {
  return text.replace(GB18030_PUA_RE, (ch) => GB18030_PUA_TO_STANDARD.get(ch) ?? ch);
}
