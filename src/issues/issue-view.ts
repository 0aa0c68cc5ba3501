/** A conflict or alert as a role sees it in a response. Pure: no I/O. */
import { redactRecord } from '../access/field-policy.js';
import type { Role } from '../access/roles.js';
import type { IssueRow } from './issues.repository.js';
import { issueField } from './resolution.js';

export interface IssueView {
  id: string;
  residentId: string;
  category: IssueRow['category'];
  kind: string;
  severity: string;
  status: IssueRow['status'];
  /** The golden field it is about (conflicts, stale decisions); null for other alerts. */
  field: string | null;
  details: Record<string, unknown>;
  resolution: Record<string, unknown> | null;
  createdAt: string;
  updatedAt: string;
}

/** Details hold ID numbers, names, allowance figures: redacted for the role like any record. */
export function toIssueView(role: Role, issue: IssueRow): IssueView {
  return {
    id: issue.id,
    residentId: issue.residentId,
    category: issue.category,
    kind: issue.kind,
    severity: issue.severity,
    status: issue.status,
    field: issueField(issue),
    details: redactRecord(role, issue.details),
    resolution: issue.resolution === null ? null : redactRecord(role, issue.resolution as unknown as Record<string, unknown>),
    createdAt: issue.createdAt.toISOString(),
    updatedAt: issue.updatedAt.toISOString(),
  };
}
