import { open } from 'node:fs/promises';

/** `D0 CF 11 E0 A1 B1 1A E1`: an OLE2 Compound File (legacy .xls/.doc, or an encrypted .xlsx). */
export const CFB_MAGIC = Uint8Array.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

const END_OF_CHAIN = 0xfffffffe;
const FREE_SECT = 0xffffffff;
const MAX_REGULAR_SECT = 0xfffffffa;

const STORAGE = 1;
const STREAM = 2;
const ROOT = 5;

export class CfbFormatError extends Error {}

/** `length` bytes at `position` (fewer only where the file ends). */
type ReadAt = (position: number, length: number) => Promise<Buffer>;

interface DirectoryEntry {
  name: string;
  type: number;
  start: number;
  size: number;
}

/**
 * A Compound File's structure, read on demand through `read`: the header, the FAT sectors a
 * chain passes through (located through the DIFAT as needed), the directory, a stream. Every
 * chain is bounded by the file's size, so a damaged or hostile file ends in CfbFormatError
 * rather than a loop.
 */
class CompoundFile {
  private readonly sectorSize: number;
  private readonly entriesPerSector: number;
  private readonly maxSectors: number;
  /** Where the FAT's sectors are: 109 in the header, the rest in a chain of DIFAT sectors. */
  private readonly fatSectors: number[] = [];
  private difatSector: number;
  private difatHops = 0;
  private readonly fatBlocks = new Map<number, Buffer>();

  private constructor(
    private readonly read: ReadAt,
    private readonly header: Buffer,
    private readonly fileSize: number,
  ) {
    this.sectorSize = 1 << header.readUInt16LE(0x1e);
    this.entriesPerSector = this.sectorSize / 4;
    this.maxSectors = Math.ceil(fileSize / this.sectorSize) + 1;
    for (let i = 0; i < 109; i++) this.fatSectors.push(header.readUInt32LE(0x4c + i * 4));
    this.difatSector = header.readUInt32LE(0x44);
  }

  static async open(read: ReadAt, fileSize: number): Promise<CompoundFile> {
    const header = await read(0, 512);
    if (header.length < 512 || !CFB_MAGIC.every((b, i) => header[i] === b)) throw new CfbFormatError('not a compound file');
    const sectorShift = header.readUInt16LE(0x1e);
    if (sectorShift !== 9 && sectorShift !== 12) throw new CfbFormatError(`bad sector shift ${sectorShift}`);
    return new CompoundFile(read, header, fileSize);
  }

  /** The directory's storages, streams and root, in directory order. */
  async directory(): Promise<DirectoryEntry[]> {
    const bytes = await this.regular(this.header.readUInt32LE(0x30));
    const entries: DirectoryEntry[] = [];
    for (let offset = 0; offset + 128 <= bytes.length; offset += 128) {
      const type = bytes[offset + 0x42]!;
      if (type !== STORAGE && type !== STREAM && type !== ROOT) continue;
      const nameBytes = Math.min(bytes.readUInt16LE(offset + 0x40), 64);
      if (nameBytes < 2) continue;
      entries.push({
        name: bytes.toString('utf16le', offset, offset + nameBytes - 2),
        type,
        start: bytes.readUInt32LE(offset + 0x74),
        // Version 3 files (512-byte sectors) keep only the low 32 bits of the size.
        size: this.sectorSize === 512 ? bytes.readUInt32LE(offset + 0x78) : Number(bytes.readBigUInt64LE(offset + 0x78)),
      });
    }
    return entries;
  }

  /** A stream's bytes: from regular sectors, or under the cutoff (4,096 bytes) from the root's mini stream. */
  async stream(entry: DirectoryEntry, root: DirectoryEntry | undefined): Promise<Buffer> {
    if (entry.size > this.fileSize * 8) throw new CfbFormatError('a stream larger than the file');
    if (entry.size >= this.header.readUInt32LE(0x38)) return this.regular(entry.start, entry.size);
    if (!root) throw new CfbFormatError('no root entry');
    const miniStream = await this.regular(root.start, root.size);
    const miniSectorSize = 1 << this.header.readUInt16LE(0x20);
    const miniFatFirst = this.header.readUInt32LE(0x3c);
    const miniFat = miniFatFirst < MAX_REGULAR_SECT ? await this.regular(miniFatFirst) : Buffer.alloc(0);
    const limit = Math.ceil(miniStream.length / miniSectorSize) + 1;
    const parts: Buffer[] = [];
    for (let sector = entry.start; sector !== END_OF_CHAIN; ) {
      const at = sector * miniSectorSize;
      if (sector >= MAX_REGULAR_SECT || parts.length > limit || 4 * sector + 4 > miniFat.length || at + miniSectorSize > miniStream.length) {
        throw new CfbFormatError('broken mini stream chain');
      }
      parts.push(miniStream.subarray(at, at + miniSectorSize));
      sector = miniFat.readUInt32LE(4 * sector);
    }
    return fitted(Buffer.concat(parts), entry.size);
  }

  private async sector(sector: number): Promise<Buffer> {
    const bytes = await this.read((sector + 1) * this.sectorSize, this.sectorSize);
    if (bytes.length < this.sectorSize) throw new CfbFormatError('truncated compound file');
    return bytes;
  }

  private async fatSectorAt(index: number): Promise<number> {
    while (index >= this.fatSectors.length) {
      if (this.difatSector >= MAX_REGULAR_SECT || ++this.difatHops > this.maxSectors) throw new CfbFormatError('FAT location missing');
      const block = await this.sector(this.difatSector);
      for (let i = 0; i < this.entriesPerSector - 1; i++) this.fatSectors.push(block.readUInt32LE(i * 4));
      this.difatSector = block.readUInt32LE((this.entriesPerSector - 1) * 4);
    }
    return this.fatSectors[index]!;
  }

  /** The sector after `sector` in its chain. */
  private async next(sector: number): Promise<number> {
    const index = Math.floor(sector / this.entriesPerSector);
    let block = this.fatBlocks.get(index);
    if (!block) {
      const fatSector = await this.fatSectorAt(index);
      if (fatSector >= MAX_REGULAR_SECT) throw new CfbFormatError('FAT sector missing');
      block = await this.sector(fatSector);
      this.fatBlocks.set(index, block);
    }
    return block.readUInt32LE((sector % this.entriesPerSector) * 4);
  }

  /** The bytes of the regular-sector chain from `first`, cut to `size` when given. */
  private async regular(first: number, size?: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (let sector = first; sector !== END_OF_CHAIN; sector = await this.next(sector)) {
      if (sector === FREE_SECT || sector >= MAX_REGULAR_SECT || parts.length >= this.maxSectors) throw new CfbFormatError('broken sector chain');
      parts.push(await this.sector(sector));
    }
    const bytes = Buffer.concat(parts);
    return size === undefined ? bytes : fitted(bytes, size);
  }
}

function fitted(bytes: Buffer, size: number): Buffer {
  if (bytes.length < size) throw new CfbFormatError('truncated stream');
  return bytes.subarray(0, size);
}

/**
 * Names of the storages and streams in a Compound File's directory, read straight from the
 * file's header, FAT and directory sectors (a few KB), without parsing any stream and without
 * loading SheetJS in the main thread. Used to tell a legacy workbook (`Workbook`/`Book`) from a
 * password-protected .xlsx (`EncryptionInfo` + `EncryptedPackage`) or another Office document.
 * Throws CfbFormatError when the structure is broken.
 */
export async function listCfbEntryNames(filePath: string): Promise<string[]> {
  const fh = await open(filePath, 'r');
  try {
    const read: ReadAt = async (position, length) => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buffer, 0, length, position);
      return buffer.subarray(0, bytesRead);
    };
    const file = await CompoundFile.open(read, (await fh.stat()).size);
    return (await file.directory()).map((entry) => entry.name);
  } finally {
    await fh.close();
  }
}

/**
 * The bytes of the stream `name` (case-insensitive, anywhere in the directory) of a Compound
 * File held in memory, or undefined when there is none.
 */
export async function readCfbStream(bytes: Buffer, name: string): Promise<Buffer | undefined> {
  const read: ReadAt = async (position, length) => bytes.subarray(position, position + length);
  const file = await CompoundFile.open(read, bytes.length);
  const entries = await file.directory();
  const wanted = name.toLowerCase();
  const entry = entries.find((e) => e.type === STREAM && e.name.toLowerCase() === wanted);
  return entry && file.stream(entry, entries.find((e) => e.type === ROOT));
}
