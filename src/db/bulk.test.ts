import { describe, expect, it } from 'vitest';
import { CopyBytes, copyText } from './bulk.js';

describe('CopyBytes', () => {
  it('gives the UTF-8 of everything added, in order, across buffers', () => {
    // A tiny buffer size, so that pieces (some of them Chinese, 3 bytes a character) keep
    // starting new buffers, and one piece is larger than a buffer.
    const bytes = new CopyBytes(16);
    const pieces = ['police\t', '{"姓名":"王宝","户号":"301000001"}', '\t', 'x'.repeat(40), '\t', copyText('a\\b\tc'), '\n', '张伟', '\n'];
    for (const piece of pieces) bytes.add(piece);
    const buffers = bytes.take();
    expect(buffers.length).toBeGreaterThan(1);
    expect(Buffer.concat(buffers).toString('utf8')).toBe(pieces.join(''));
    expect(Buffer.concat(buffers)).toEqual(Buffer.from(pieces.join('')));
  });

  it('gives only what was added since the last take, never overwriting it, and nothing when nothing was added', () => {
    const bytes = new CopyBytes();
    expect(bytes.take()).toEqual([]);
    bytes.add('第一行\n');
    const first = bytes.take();
    expect(Buffer.concat(first).toString()).toBe('第一行\n');
    bytes.add('第二行\n');
    expect(Buffer.concat(bytes.take()).toString()).toBe('第二行\n');
    // What was taken may still be queued on a socket: later adds never write over it.
    expect(Buffer.concat(first).toString()).toBe('第一行\n');
  });
});
