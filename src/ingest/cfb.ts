import { open, type FileHandle } from 'node:fs/promises';

/** `D0 CF 11 E0 A1 B1 1A E1`: an OLE2 Compound File (legacy .xls/.doc, or an encrypted .xlsx). */
export const CFB_MAGIC = Uint8Array.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

const END_OF_CHAIN = 0xfffffffe;
const FREE_SECT = 0xffffffff;
const MAX_REGULAR_SECT = 0xfffffffa;

export class CfbFormatError extends Error {}

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
    return await readDirectoryNames(fh, (await fh.stat()).size);
  } finally {
    await fh.close();
  }
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buffer, 0, length, position);
  if (bytesRead < length) throw new CfbFormatError('truncated compound file');
  return buffer;
}

async function readDirectoryNames(fh: FileHandle, fileSize: number): Promise<string[]> {
  const header = await readAt(fh, 0, 512);
  if (!CFB_MAGIC.every((b, i) => header[i] === b)) throw new CfbFormatError('not a compound file');
  const sectorShift = header.readUInt16LE(0x1e);
  if (sectorShift !== 9 && sectorShift !== 12) throw new CfbFormatError(`bad sector shift ${sectorShift}`);
  const sectorSize = 1 << sectorShift;
  const maxSectors = Math.ceil(fileSize / sectorSize) + 1;
  const firstDirSector = header.readUInt32LE(0x30);
  let difatSector = header.readUInt32LE(0x44);
  const entriesPerSector = sectorSize / 4;

  // FAT sector locations: 109 in the header, the rest in a chain of DIFAT sectors (read lazily).
  const fatSectors: number[] = [];
  for (let i = 0; i < 109; i++) fatSectors.push(header.readUInt32LE(0x4c + i * 4));
  let difatHops = 0;
  const sectorOffset = (sector: number) => (sector + 1) * sectorSize;

  async function fatSectorAt(index: number): Promise<number> {
    while (index >= fatSectors.length) {
      if (difatSector >= MAX_REGULAR_SECT || ++difatHops > maxSectors) throw new CfbFormatError('FAT location missing');
      const block = await readAt(fh, sectorOffset(difatSector), sectorSize);
      for (let i = 0; i < entriesPerSector - 1; i++) fatSectors.push(block.readUInt32LE(i * 4));
      difatSector = block.readUInt32LE((entriesPerSector - 1) * 4);
    }
    return fatSectors[index]!;
  }

  const fatCache = new Map<number, Buffer>();
  async function nextSector(sector: number): Promise<number> {
    const fatIndex = Math.floor(sector / entriesPerSector);
    let block = fatCache.get(fatIndex);
    if (!block) {
      const fatSector = await fatSectorAt(fatIndex);
      if (fatSector >= MAX_REGULAR_SECT) throw new CfbFormatError('FAT sector missing');
      block = await readAt(fh, sectorOffset(fatSector), sectorSize);
      fatCache.set(fatIndex, block);
    }
    return block.readUInt32LE((sector % entriesPerSector) * 4);
  }

  const names: string[] = [];
  let sector = firstDirSector;
  let hops = 0;
  while (sector !== END_OF_CHAIN) {
    if (sector === FREE_SECT || sector >= MAX_REGULAR_SECT || ++hops > maxSectors) {
      throw new CfbFormatError('broken directory chain');
    }
    const block = await readAt(fh, sectorOffset(sector), sectorSize);
    for (let offset = 0; offset + 128 <= sectorSize; offset += 128) {
      const type = block[offset + 0x42];
      if (type !== 1 && type !== 2 && type !== 5) continue; // storage, stream, root
      const nameBytes = Math.min(block.readUInt16LE(offset + 0x40), 64);
      if (nameBytes < 2) continue;
      names.push(block.toString('utf16le', offset, offset + nameBytes - 2));
    }
    sector = await nextSector(sector);
  }
  return names;
}

/**
 * The bytes of the stream `name` (case-insensitive, anywhere in the directory) of a Compound
 * File held in memory, or undefined when there is none. Streams under the mini-stream cutoff
 * (4,096 bytes) are read from the mini stream. Every chain is checked against the file's size,
 * so a damaged or hostile file ends in CfbFormatError rather than a loop.
 */
export function readCfbStream(file: Buffer, name: string): Buffer | undefined {
  if (file.length < 512 || !CFB_MAGIC.every((b, i) => file[i] === b)) throw new CfbFormatError('not a compound file');
  const sectorShift = file.readUInt16LE(0x1e);
  if (sectorShift !== 9 && sectorShift !== 12) throw new CfbFormatError(`bad sector shift ${sectorShift}`);
  const sectorSize = 1 << sectorShift;
  const miniSectorSize = 1 << file.readUInt16LE(0x20);
  const maxSectors = Math.ceil(file.length / sectorSize) + 1;
  const entriesPerSector = sectorSize / 4;
  const sectorOffset = (sector: number) => (sector + 1) * sectorSize;
  const sectorBytes = (sector: number) => {
    const at = sectorOffset(sector);
    if (at + sectorSize > file.length) throw new CfbFormatError('truncated compound file');
    return file.subarray(at, at + sectorSize);
  };

  // The FAT: its sectors are listed 109 in the header, the rest in a chain of DIFAT sectors.
  const fatSectors: number[] = [];
  for (let i = 0; i < 109; i++) fatSectors.push(file.readUInt32LE(0x4c + i * 4));
  let difat = file.readUInt32LE(0x44);
  for (let hops = 0; difat < MAX_REGULAR_SECT; hops++) {
    if (hops > maxSectors) throw new CfbFormatError('broken DIFAT chain');
    const block = sectorBytes(difat);
    for (let i = 0; i < entriesPerSector - 1; i++) fatSectors.push(block.readUInt32LE(i * 4));
    difat = block.readUInt32LE((entriesPerSector - 1) * 4);
  }
  const fatCount = file.readUInt32LE(0x2c);
  const fat: number[] = [];
  for (const sector of fatSectors.slice(0, fatCount)) {
    if (sector >= MAX_REGULAR_SECT) break;
    const block = sectorBytes(sector);
    for (let i = 0; i < entriesPerSector; i++) fat.push(block.readUInt32LE(i * 4));
  }

  const chain = (first: number, table: readonly number[], limit: number): number[] => {
    const sectors: number[] = [];
    for (let sector = first; sector !== END_OF_CHAIN; sector = table[sector] ?? FREE_SECT) {
      if (sector >= MAX_REGULAR_SECT || sector >= table.length || sectors.length > limit) throw new CfbFormatError('broken sector chain');
      sectors.push(sector);
    }
    return sectors;
  };
  const regularStream = (first: number, size: number) => {
    const parts = chain(first, fat, maxSectors).map(sectorBytes);
    const bytes = Buffer.concat(parts);
    if (bytes.length < size) throw new CfbFormatError('truncated stream');
    return bytes.subarray(0, size);
  };

  const directory = Buffer.concat(chain(file.readUInt32LE(0x30), fat, maxSectors).map(sectorBytes));
  const wanted = name.toLowerCase();
  let root: { start: number; size: number } | undefined;
  for (let offset = 0; offset + 128 <= directory.length; offset += 128) {
    const type = directory[offset + 0x42];
    const nameBytes = Math.min(directory.readUInt16LE(offset + 0x40), 64);
    const start = directory.readUInt32LE(offset + 0x74);
    // Version 3 files (512-byte sectors) keep only the low 32 bits of the size.
    const size = sectorShift === 9 ? directory.readUInt32LE(offset + 0x78) : Number(directory.readBigUInt64LE(offset + 0x78));
    if (type === 5) root = { start, size };
    if (type !== 2 || nameBytes < 2) continue;
    if (directory.toString('utf16le', offset, offset + nameBytes - 2).toLowerCase() !== wanted) continue;
    if (size > file.length * 8) throw new CfbFormatError('a stream larger than the file');
    if (size >= file.readUInt32LE(0x38)) return regularStream(start, size);
    // A small stream: in the mini stream (the root entry's), in 64-byte mini sectors.
    if (!root) throw new CfbFormatError('no root entry before the stream');
    const miniStream = regularStream(root.start, root.size);
    const miniFat: number[] = [];
    const miniFatFirst = file.readUInt32LE(0x3c);
    if (miniFatFirst < MAX_REGULAR_SECT) {
      for (const sector of chain(miniFatFirst, fat, maxSectors)) {
        const block = sectorBytes(sector);
        for (let i = 0; i < entriesPerSector; i++) miniFat.push(block.readUInt32LE(i * 4));
      }
    }
    const parts = chain(start, miniFat, Math.ceil(miniStream.length / miniSectorSize) + 1).map((sector) => {
      const at = sector * miniSectorSize;
      if (at + miniSectorSize > miniStream.length) throw new CfbFormatError('truncated mini stream');
      return miniStream.subarray(at, at + miniSectorSize);
    });
    const bytes = Buffer.concat(parts);
    if (bytes.length < size) throw new CfbFormatError('truncated stream');
    return bytes.subarray(0, size);
  }
  return undefined;
}
