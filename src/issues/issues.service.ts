/**
 * Conflicts and alerts for auditors: listing them, and resolving them so that the resolution
 * holds — a field decision the golden record honours on every later refresh (re-imports and
 * link runs included), or an acknowledged alert that stays acknowledged while it is the same.
 */
import type { Kysely } from 'kysely';
import type { Role } from '../access/roles.js';
import { actorOf, type Caller } from '../access/keys.service.js';
import { auditInTransaction } from '../audit/audit.service.js';
import type { Database } from '../db/schema.js';
import { AppError, ErrorCodes } from '../errors.js';
import { goldenRepository } from '../golden/golden.repository.js';
import { refreshGolden } from '../golden/golden.service.js';
import type { IssueResolution } from '../golden/types.js';
import { toIssueView, type IssueView } from './issue-view.js';
import { issuesRepository as repo, type IssueFilter } from './issues.repository.js';
import { checkFieldValue, planResolution, valueOfRecord, type ResolveRequest } from './resolution.js';

export interface IssuePage {
  items: IssueView[];
  /** The cursor of the next page (null at the end). */
  next: string | null;
}

export async function listIssues(db: Kysely<Database>, role: Role, filter: IssueFilter): Promise<IssuePage> {
  const rows = await repo.list(db, filter);
  return { items: rows.map((r) => toIssueView(role, r)), next: rows.length === filter.limit ? rows[rows.length - 1]!.id : null };
}

export async function getIssue(db: Kysely<Database>, role: Role, id: string): Promise<IssueView> {
  const row = await repo.find(db, id);
  if (!row) throw new AppError(ErrorCodes.NOT_FOUND, `no conflict or alert ${id}`);
  return toIssueView(role, row);
}

export interface ResolveResult {
  issue: IssueView;
  /** The resident's golden version after the resolution (null for an acknowledged alert: nothing changed). */
  residentVersion: number | null;
}

/**
 * Resolves an open conflict or alert, in one transaction under the linker's lock: writes the
 * auditor's field decision (revoking an earlier one on the same field), rebuilds the
 * resident's golden record with it at once (a new version, the field's rule 'auditor'),
 * marks the finding resolved, and audits it.
 */
export async function resolveIssue(db: Kysely<Database>, caller: Caller, id: string, request: ResolveRequest): Promise<ResolveResult> {
  return db.transaction().execute(async (trx) => {
    await repo.lockLinks(trx);
    const issue = await repo.find(trx, id, { forUpdate: true });
    if (!issue) throw new AppError(ErrorCodes.NOT_FOUND, `no conflict or alert ${id}`);
    if (issue.status !== 'open') throw new AppError(ErrorCodes.CONFLICT, `${issue.category} ${id} is ${issue.status}, not open`);
    const plan = planResolution(issue, request);
    const actor = actorOf(caller);

    let resolution: IssueResolution;
    let residentVersion: number | null = null;
    if (plan.via === 'acknowledged') {
      resolution = { via: 'acknowledged', field: plan.field, sourceRecordId: null, reason: plan.reason, decidedAt: new Date().toISOString(), actor };
    } else {
      const members = await repo.memberIds(trx, issue.residentId);
      if (members.length === 0) throw new AppError(ErrorCodes.CONFLICT, `resident ${issue.residentId} holds no source records any more`);
      let value: unknown;
      let sourceRecordId: string | null = null;
      if (plan.via === 'record') {
        if (!members.includes(plan.sourceRecordId)) {
          throw new AppError(ErrorCodes.VALIDATION, `source record ${plan.sourceRecordId} is not one of resident ${issue.residentId}'s records`);
        }
        const record = (await goldenRepository.records(trx, [plan.sourceRecordId])).get(plan.sourceRecordId);
        value = record === undefined ? undefined : valueOfRecord(plan.field, record);
        if (value === undefined) throw new AppError(ErrorCodes.VALIDATION, `source record ${plan.sourceRecordId} holds no usable ${plan.field}`);
        sourceRecordId = plan.sourceRecordId;
      } else {
        const checked = checkFieldValue(plan.field, plan.value);
        if (!checked.ok) throw new AppError(ErrorCodes.VALIDATION, checked.message);
        value = checked.value;
      }
      await repo.revokeDecision(trx, issue.residentId, plan.field);
      const decision = await repo.insertDecision(trx, { residentId: issue.residentId, field: plan.field, value, sourceRecordId, issueId: issue.id, reason: plan.reason, actor });
      // The decision takes effect now, not at the next link run.
      await refreshGolden({ db: trx }, null, new Map([[issue.residentId, members]]), { allResidents: false });
      residentVersion = await repo.residentVersion(trx, issue.residentId);
      resolution = {
        via: plan.via,
        field: plan.field,
        value,
        sourceRecordId,
        reason: plan.reason,
        decidedAt: decision.createdAt.toISOString(),
        decisionId: decision.id,
        ...(residentVersion === null ? {} : { version: residentVersion }),
        actor,
      };
    }
    await repo.markResolved(trx, issue.id, resolution);
    await auditInTransaction(trx, [
      {
        actor,
        action: 'conflicts:resolve',
        target: { type: 'resident_issue', id: issue.id },
        outcome: 'success',
        // Ids and names of fields only: the value decided is personal data.
        details: {
          residentId: issue.residentId,
          category: issue.category,
          kind: issue.kind,
          via: resolution.via,
          field: resolution.field,
          sourceRecordId: resolution.sourceRecordId,
          decisionId: resolution.decisionId ?? null,
          residentVersion,
        },
      },
    ]);
    const resolved = await repo.find(trx, issue.id);
    return { issue: toIssueView(caller.role, resolved!), residentVersion };
  });
}
