import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { isSourceName, SOURCE_NAMES, type SourceName } from '../../../adapters/types.js';
import { redactRecord } from '../../access/field-policy.js';
import type { Caller } from '../../access/keys.service.js';
import { mayImportSource, mayReadImportOf, sourcesRoleMayImport } from '../../access/roles.js';
import type { ImportBatch } from '../../db/schema.js';
import { AppError, ErrorCodes } from '../../errors.js';
import { summarizeBatch } from '../../ingest/import-files.js';
import { importRepository } from '../../ingest/import.repository.js';
import type { ImportProgress } from '../../ingest/import.service.js';
import { rejectsCsv } from '../../ingest/rejects-report.js';
import { keepUploads, saveUpload, startImport, uploadSession, type StoredUpload } from '../../ingest/upload.service.js';
import { commonErrors, IdParam, Limit } from '../schemas.js';
import { auditCaller, type ApiServices } from '../services.js';

const Source = Type.Union(SOURCE_NAMES.map((s) => Type.Literal(s)));

const BatchSummarySchema = Type.Object({
  id: Type.String(),
  source: Type.String(),
  status: Type.String({ description: 'queued | running | completed | failed' }),
  partial: Type.Boolean(),
  createdAt: Type.String(),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
  rowsRead: Type.Integer(),
  rowsAccepted: Type.Integer(),
  rowsRejected: Type.Integer(),
  rowsSkipped: Type.Integer(),
  idsFlagged: Type.Integer(),
  records: Type.Object({ created: Type.Integer(), updated: Type.Integer(), unchanged: Type.Integer(), missing: Type.Integer() }),
  rejectReasons: Type.Record(Type.String(), Type.Integer()),
  flagCounts: Type.Record(Type.String(), Type.Integer()),
  error: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
  files: Type.Array(
    Type.Object({
      name: Type.String(),
      sha256: Type.String(),
      status: Type.String(),
      format: Type.Union([Type.String(), Type.Null()]),
      encoding: Type.Union([Type.String(), Type.Null()]),
      headerRow: Type.Union([Type.Integer(), Type.Null()]),
      rowsRead: Type.Integer(),
      rowsAccepted: Type.Integer(),
      rowsRejected: Type.Integer(),
      rowsSkipped: Type.Integer(),
      alreadyImportedInBatch: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
});

const Progress = Type.Union([
  Type.Object({
    phase: Type.String(),
    fileIndex: Type.Integer(),
    fileCount: Type.Integer(),
    fileName: Type.String(),
    rowsDone: Type.Integer(),
    bytesDone: Type.Number(),
    bytesTotal: Type.Number(),
    accepted: Type.Integer(),
    rejected: Type.Integer(),
  }),
  Type.Null(),
]);

const ImportView = Type.Object({ batch: BatchSummarySchema, progress: Progress, linking: Type.Boolean({ description: 'the import finished and its records are being linked' }) });

const Created = Type.Object({
  noOp: Type.Boolean({ description: 'every file was imported before: nothing to do' }),
  batch: Type.Union([BatchSummarySchema, Type.Null()]),
  files: Type.Array(Type.Object({ name: Type.String(), sha256: Type.String(), alreadyImportedInBatch: Type.Union([Type.String(), Type.Null()]) })),
});

const RejectedRowSchema = Type.Object({
  file: Type.String(),
  row: Type.Integer(),
  reasons: Type.Array(Type.Object({ field: Type.String(), code: Type.String(), message: Type.String() })),
  raw: Type.Record(Type.String(), Type.Unknown()),
});

/** Live progress of the imports this API process started (the database has the rest). */
class ProgressBoard {
  private readonly live = new Map<string, { progress: ImportProgress | null; linking: boolean }>();
  set(batchId: string, progress: ImportProgress | null, linking = false): void {
    this.live.set(batchId, { progress, linking });
  }
  get(batchId: string) {
    return this.live.get(batchId) ?? { progress: null, linking: false };
  }
  done(batchId: string): void {
    this.live.delete(batchId);
  }
}

function assertMayRead(caller: Caller, batch: ImportBatch): void {
  // A department sees its own sources' imports only: their rejected rows are its raw data.
  if (!mayReadImportOf(caller.role, batch.source as SourceName)) {
    throw new AppError(ErrorCodes.FORBIDDEN, `role ${caller.role} may not read imports of ${batch.source}`);
  }
}

export const importsRoutes: FastifyPluginAsyncTypebox<{ services: ApiServices }> = async (v1, { services }) => {
  const { ctx } = services;
  const board = new ProgressBoard();
  await v1.register(multipart, { limits: { fileSize: ctx.config.maxUploadBytes, files: 200, fields: 10 }, throwFileSizeLimit: true });

  async function loadBatch(caller: Caller, id: string): Promise<ImportBatch> {
    const batch = await importRepository.getBatch(ctx.db, id);
    if (!batch) throw new AppError(ErrorCodes.NOT_FOUND, `import ${id} not found`);
    assertMayRead(caller, batch);
    return batch;
  }

  v1.post(
    '/imports',
    {
      config: { action: 'imports:create' },
      schema: {
        tags: ['imports'],
        summary: 'Upload a department export (multipart: field `source`, then one or more files); the import runs as a job',
        description: `multipart/form-data with a \`source\` field (${SOURCE_NAMES.join(', ')}) and the files. 202 with the batch to poll at GET /v1/imports/{id}; 200 with noOp when every file was imported before. Files larger than the upload limit → 413.`,
        consumes: ['multipart/form-data'],
        response: { 200: Created, 202: Created, 413: Type.Ref('ErrorResponse'), ...commonErrors },
      },
    },
    async (request, reply) => {
      if (!request.isMultipart()) throw new AppError(ErrorCodes.VALIDATION, 'send multipart/form-data with a source field and the files');
      const caller = request.caller;
      const session = await uploadSession(ctx.config.dataDir);
      let source: string | undefined;
      const saved: StoredUpload[] = [];
      try {
        for await (const part of request.parts()) {
          if (part.type === 'field') {
            if (part.fieldname !== 'source') throw new AppError(ErrorCodes.VALIDATION, `unknown form field "${part.fieldname}" (expected source and files)`);
            source = String(part.value);
            if (!isSourceName(source)) throw new AppError(ErrorCodes.UNKNOWN_SOURCE, `unknown source "${source}"; expected one of: ${SOURCE_NAMES.join(', ')}`);
            if (!mayImportSource(caller.role, source)) throw new AppError(ErrorCodes.FORBIDDEN, `role ${caller.role} may import ${sourcesRoleMayImport(caller.role).join(', ') || 'no source'}, not ${source}`);
            continue;
          }
          const file = part.file;
          saved.push(await saveUpload(session.dir, part.filename, file, () => file.truncated));
        }
        if (source === undefined || !isSourceName(source)) throw new AppError(ErrorCodes.VALIDATION, `the form needs a source field (${SOURCE_NAMES.join(', ')})`);
        if (saved.length === 0) throw new AppError(ErrorCodes.VALIDATION, 'no file uploaded');
        const kept = await keepUploads(ctx.config.dataDir, saved);
        const batchSource: SourceName = source;
        const staged = await startImport(ctx, batchSource, kept.map((k) => k.path), `${caller.name} (${caller.prefix ?? caller.role})`, {
          onProgress: (p) => board.set(p.batchId, p),
          onLinking: (batch) => board.set(batch.id, null, true),
          onSettled: ({ batchId }) => board.done(batchId),
        });
        await auditCaller(services, caller, {
          action: 'imports:create',
          target: { type: 'import_batch', id: staged.batch?.id ?? null },
          outcome: 'success',
          details: { source: batchSource, files: kept.map((k) => ({ name: k.name, sha256: k.sha256, bytes: k.size })), noOp: staged.noOp },
        });
        const body = {
          noOp: staged.noOp,
          batch: staged.batch ? await summarizeBatch(ctx, staged.batch) : null,
          files: staged.files.map((f) => ({ name: f.name, sha256: f.sha256, alreadyImportedInBatch: f.alreadyImportedInBatch ?? null })),
        };
        return reply.status(staged.noOp ? 200 : 202).send(body);
      } finally {
        // What was saved is either kept (moved under its hash) or dropped with the request;
        // a file over the limit ends here as multipart's 413, which the error handler renders.
        await session.discard();
      }
    },
  );

  v1.get(
    '/imports',
    {
      config: { action: 'imports:read' },
      schema: {
        tags: ['imports'],
        summary: 'Import batches the caller may see (a department: its own sources), newest first',
        querystring: Type.Object({ source: Type.Optional(Source), limit: Type.Optional(Limit) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(BatchSummarySchema) }), ...commonErrors },
      },
    },
    async (request) => {
      const { source, limit } = request.query;
      const batches = await importRepository.listBatches(ctx.db, { source, limit: 500 });
      const visible = batches.filter((b) => mayReadImportOf(request.caller.role, b.source as SourceName)).slice(0, limit ?? 20);
      return { items: await Promise.all(visible.map((b) => summarizeBatch(ctx, b))) };
    },
  );

  v1.get(
    '/imports/:id',
    {
      config: { action: 'imports:read' },
      schema: {
        tags: ['imports'],
        summary: 'One import: status, counts, live progress while it runs',
        params: Type.Object({ id: IdParam }),
        response: { 200: ImportView, 404: Type.Ref('ErrorResponse'), ...commonErrors },
      },
    },
    async (request) => {
      const batch = await loadBatch(request.caller, request.params.id);
      const live = board.get(batch.id);
      return { batch: await summarizeBatch(ctx, batch), progress: live.progress, linking: live.linking };
    },
  );

  v1.get(
    '/imports/:id/rejects',
    {
      config: { action: 'imports:read' },
      schema: {
        tags: ['imports'],
        summary: 'The rejected rows of an import with their reasons (JSON, or CSV with format=csv)',
        params: Type.Object({ id: IdParam }),
        querystring: Type.Object({ format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])) }, { additionalProperties: false }),
        response: { 200: Type.Object({ batchId: Type.String(), items: Type.Array(RejectedRowSchema) }), 404: Type.Ref('ErrorResponse'), ...commonErrors },
      },
    },
    async (request, reply) => {
      const caller = request.caller;
      const batch = await loadBatch(caller, request.params.id);
      const rows = await importRepository.rejectedRows(ctx.db, batch.id);
      const source = batch.source as SourceName;
      const redact = (raw: Record<string, unknown>) => redactRecord(caller.role, raw, source);
      await auditCaller(services, caller, { action: 'imports:read', target: { type: 'import_batch', id: batch.id }, outcome: 'success', details: { rejects: rows.length, format: request.query.format ?? 'json' } });
      if (request.query.format === 'csv') {
        const text = rejectsCsv(rows, await importRepository.filesOfBatch(ctx.db, batch.id), (row) => redact(row.raw));
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="rejects-batch-${batch.id}.csv"`)
          .send(text);
      }
      return { batchId: batch.id, items: rows.map((r) => ({ file: r.file_name, row: r.row_number, reasons: r.reasons, raw: redact(r.raw) })) };
    },
  );
};
