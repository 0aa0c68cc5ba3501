import type { ImportProgress } from '../ingest/import.service.js';
import type { LinkProgress } from '../linkage/link.service.js';

/** A one-line progress bar on a terminal; occasional plain lines elsewhere (logs, CI). */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr): { update(p: ImportProgress): void; done(): void } {
  const tty = Boolean(stream.isTTY);
  let lastFile = '';
  let lastDraw = 0;
  let drawn = false;
  return {
    update(p) {
      if (!tty) {
        if (p.fileName && p.fileName !== lastFile) {
          lastFile = p.fileName;
          stream.write(`reading ${p.fileName} (${p.fileIndex + 1}/${p.fileCount})\n`);
        }
        return;
      }
      const now = Date.now();
      if (now - lastDraw < 100 && p.phase === 'reading') return;
      lastDraw = now;
      const fraction = p.bytesTotal ? Math.min(1, p.bytesDone / p.bytesTotal) : 0;
      const width = 28;
      const filled = Math.round(fraction * width);
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      const label = p.phase === 'reading' ? `${p.fileName} (${p.fileIndex + 1}/${p.fileCount})` : p.phase;
      const line = `${bar} ${String(Math.round(fraction * 100)).padStart(3)}%  ${p.rowsDone.toLocaleString('en-US')} rows  ${label}`;
      stream.write(`\r${line.slice(0, (stream.columns || 100) - 1)}\x1b[K`);
      drawn = true;
    },
    done() {
      if (tty && drawn) stream.write('\r\x1b[K');
    },
  };
}

const LINK_STAGES: Record<LinkProgress['stage'], string> = {
  reading: 'reading records',
  linking: 'comparing and clustering',
  writing: 'writing links',
  golden: 'golden records',
  done: 'done',
};

/** Progress of a link run: a bar per stage on a terminal, one line per stage elsewhere. */
export function linkProgressPrinter(stream: NodeJS.WriteStream = process.stderr): { update(p: LinkProgress): void; done(): void } {
  const tty = Boolean(stream.isTTY);
  let lastStage = '';
  let lastDraw = 0;
  let drawn = false;
  return {
    update(p) {
      if (!tty) {
        if (p.stage !== lastStage && p.stage !== 'done') stream.write(`linking: ${LINK_STAGES[p.stage]}\n`);
        lastStage = p.stage;
        return;
      }
      const now = Date.now();
      if (now - lastDraw < 100 && p.stage === lastStage) return;
      lastDraw = now;
      lastStage = p.stage;
      const fraction = p.total ? Math.min(1, p.done / p.total) : 0;
      const width = 28;
      const filled = Math.round(fraction * width);
      const line = `${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${String(Math.round(fraction * 100)).padStart(3)}%  ${p.done.toLocaleString('en-US')}/${p.total.toLocaleString('en-US')}  ${LINK_STAGES[p.stage]}`;
      stream.write(`\r${line.slice(0, (stream.columns || 100) - 1)}\x1b[K`);
      drawn = true;
    },
    done() {
      if (tty && drawn) stream.write('\r\x1b[K');
    },
  };
}
