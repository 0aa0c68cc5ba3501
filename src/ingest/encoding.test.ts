import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { createDecoderStream, decodeBytes, detectBom, detectEncoding, mapGb18030PrivateUse } from './encoding.js';

// 䶮 (U+4DAE, 2 bytes FE9F), 𬱖 (U+2CC56) and 𠀀 (U+20000): 4-byte GB18030 sequences.
const RARE = '刘䶮,𬱖,𠀀,龴';

async function decodeChunks(chunks: Buffer[], encoding: Parameters<typeof createDecoderStream>[0]): Promise<string> {
  let out = '';
  for await (const text of Readable.from(chunks).pipe(createDecoderStream(encoding))) out += text as string;
  return out;
}

describe('detectEncoding', () => {
  it('reads BOMs', () => {
    expect(detectBom(Buffer.from([0xef, 0xbb, 0xbf, 0x41]))).toEqual({ encoding: 'utf-8-bom', bomLength: 3 });
    expect(detectBom(Buffer.from([0xff, 0xfe, 0x41, 0]))).toEqual({ encoding: 'utf-16le', bomLength: 2 });
    expect(detectBom(Buffer.from([0xfe, 0xff, 0, 0x41]))).toEqual({ encoding: 'utf-16be', bomLength: 2 });
    expect(detectBom(Buffer.from('abc'))).toBeUndefined();
  });

  it('takes a single short GBK row for GB18030, not for another Asian encoding', () => {
    const bytes = iconv.encode('王芳', 'gb18030');
    expect(detectEncoding(bytes, true)).toEqual({ encoding: 'gb18030', bomLength: 0 });
    expect(decodeBytes(bytes, detectEncoding(bytes, true))).toBe('王芳');
    const row = iconv.encode('王芳,女,410105199003071234\r\n', 'gb18030');
    expect(detectEncoding(row, true).encoding).toBe('gb18030');
  });

  it('does not fail UTF-8 on a character cut at the end of the sample', () => {
    const text = 'a'.repeat(10) + '王芳'.repeat(100);
    const bytes = Buffer.from(text, 'utf8');
    const cut = bytes.subarray(0, 10 + 3 * 7 + 1); // one byte into a character
    expect(detectEncoding(cut, false).encoding).toBe('utf-8');
    expect(detectEncoding(cut, true).encoding).toBe('gb18030'); // a whole file cannot end mid-character
  });

  it('round-trips GB18030 with rare 4-byte characters', () => {
    const bytes = iconv.encode(RARE, 'gb18030');
    const detected = detectEncoding(bytes, true);
    expect(detected.encoding).toBe('gb18030');
    expect(decodeBytes(bytes, detected)).toBe(RARE);
  });
});

describe('createDecoderStream', () => {
  it('decodes a 4-byte GB18030 character split between chunks', async () => {
    const bytes = iconv.encode(`姓名\n${RARE}\n`, 'gb18030');
    const start = bytes.indexOf(Buffer.from([0x99, 0x33])); // first bytes of 𬱖
    const chunks = [bytes.subarray(0, start + 1), bytes.subarray(start + 1, start + 3), bytes.subarray(start + 3)];
    expect(await decodeChunks(chunks, 'gb18030')).toBe(`姓名\n${RARE}\n`);
  });

  it('decodes UTF-16LE and UTF-16BE', async () => {
    const le = Buffer.from('姓名\t王芳\n', 'utf16le');
    expect(await decodeChunks([le.subarray(0, 3), le.subarray(3)], 'utf-16le')).toBe('姓名\t王芳\n');
    const be = Buffer.from(le).swap16();
    expect(await decodeChunks([be], 'utf-16be')).toBe('姓名\t王芳\n');
  });
});

describe('mapGb18030PrivateUse', () => {
  it("maps iconv-lite's private-use code points to the standard characters", () => {
    const viaIconv = iconv.decode(Buffer.from([0xfe, 0x59, 0xa6, 0xd9]), 'gb18030');
    expect(viaIconv).toBe('\uE81E\uE78D');
    expect(mapGb18030PrivateUse(viaIconv)).toBe('\u9FB4\uFE10');
    expect(mapGb18030PrivateUse('王芳')).toBe('王芳');
  });
});
