import { hash } from 'node:crypto';
import type { FieldFlag } from '../normalize/types.js';
import type { RecordWrite } from './import.repository.js';
import type { ParsedRow } from './parse-row.js';

/**
 * A data row ready to store: everything the database needs serialised once, the same JSON
 * serving the content hash and the COPY or recordset. The natural key is the adapter's; the
 * import numbers repeats within a batch.
 */
export type PreparedRow =
  | { rowNumber: number; kind: 'skipped' }
  | { rowNumber: number; kind: 'rejected'; raw: Record<string, string>; reasons: FieldFlag[] }
  | { rowNumber: number; kind: 'accepted'; write: RecordWrite; flags: readonly FieldFlag[] };

export interface PrepareContext {
  source: string;
  fileName: string;
  fileSha256: string;
}

/** Pure. */
export function prepareRow(row: ParsedRow, context: PrepareContext): PreparedRow {
  if (row.kind !== 'accepted') return row;
  const { data, flags, naturalKey } = row.result;
  return {
    rowNumber: row.rowNumber,
    kind: 'accepted',
    write: toRecordWrite(naturalKey, context, row.rowNumber, row.raw, data, flags),
    flags,
  };
}

const str = (v: unknown) => (typeof v === 'string' && v ? v : null);

function toRecordWrite(
  naturalKey: string,
  context: PrepareContext,
  rowNumber: number,
  raw: Record<string, string>,
  data: Record<string, unknown>,
  flags: readonly unknown[],
): RecordWrite {
  const idStatus = str(data.idNumberStatus);
  const household = str(data.householdNumber) ?? str(data.familyNumber);
  const dataJson = JSON.stringify(data);
  const flagsJson = JSON.stringify(flags);
  return {
    natural_key: naturalKey,
    file_name: context.fileName,
    file_sha256: context.fileSha256,
    row_number: rowNumber,
    // One-shot hashing (the same digest as hashing the two in turn): no Hash object per row.
    content_hash: hash('sha1', dataJson + flagsJson),
    rawJson: JSON.stringify(raw),
    dataJson,
    flagsJson,
    name: str(data.name),
    name_match: str(data.nameMatch),
    name_pinyin: str(data.namePinyin),
    // A number with lost digits must never be matched on.
    id_number: idStatus === 'lost_digits' ? null : str(data.idNumber),
    id_status: idStatus,
    birth_date: str(data.birthDate),
    sex: str(data.sex),
    phone: str(data.phone),
    household_key: household ? `${context.source}:${household}` : null,
    former_name_match: str(data.formerNameMatch),
  };
}
