/**
 * What an auditor's merge, split or undo decides, worked out before anything is written: the
 * pair decisions to add or revoke so that every later link run reproduces the auditor's
 * residents, how each moved record's link reads afterwards, and whether an action can still be
 * undone. Pure: no I/O.
 *
 * Why a merge pins every record and not just one pair of them: the linker unites must-link
 * pairs first and then adds the model's links under its constraints, and those constraints are
 * checked against the whole cluster — once the two residents are one cluster, a record the model
 * held by its own link may be refused (two records of one source, birth years apart…), and a
 * later split moving the one record that carried the decision would drop the merge altogether.
 * So a merge chains every record of the merged resident (reusing the auditor's earlier matches),
 * and a split restores, on each side, the connections earlier decisions made that it cut.
 */
import { compareIds } from '../linkage/reconcile.js';

export type PairDecisionKind = 'match' | 'non_match';

/** A pair decision not revoked. */
export interface ActiveDecision {
  id: string;
  recordA: string;
  recordB: string;
  decision: PairDecisionKind;
}

/** Two record ids, the lower first (pair_decision's record_a < record_b). */
export type Pair = readonly [string, string];

export function orderedPair(x: string, y: string): Pair {
  return compareIds(x, y) <= 0 ? [x, y] : [y, x];
}

function pairKey(x: string, y: string): string {
  const [a, b] = orderedPair(x, y);
  return `${a}-${b}`;
}

/** Union–find over record ids, each component named by its lowest id. */
class Components {
  private parent = new Map<string, string>();

  constructor(ids: Iterable<string>) {
    for (const id of ids) this.parent.set(id, id);
  }

  has(id: string): boolean {
    return this.parent.has(id);
  }

  find(id: string): string {
    let root = id;
    while (this.parent.get(root) !== root) root = this.parent.get(root)!;
    let x = id;
    while (x !== root) {
      const next = this.parent.get(x)!;
      this.parent.set(x, root);
      x = next;
    }
    return root;
  }

  union(x: string, y: string): boolean {
    const rx = this.find(x);
    const ry = this.find(y);
    if (rx === ry) return false;
    // The lower id names the component.
    if (compareIds(rx, ry) < 0) this.parent.set(ry, rx);
    else this.parent.set(rx, ry);
    return true;
  }
}

/**
 * The match pairs that connect `ids` into one component, given the edges already there: the
 * components' lowest ids chained in order (one pair less than there are components).
 */
function chain(ids: readonly string[], edges: readonly Pair[]): Pair[] {
  const components = new Components(ids);
  for (const [a, b] of edges) if (components.has(a) && components.has(b)) components.union(a, b);
  const roots = [...new Set(ids.map((id) => components.find(id)))].sort(compareIds);
  const out: Pair[] = [];
  for (let i = 1; i < roots.length; i++) out.push(orderedPair(roots[i - 1]!, roots[i]!));
  return out;
}

export interface MergePlan {
  /** Match decisions to write (`required` first when given). */
  add: Pair[];
  /** Non-matches among the records: the merge contradicts them and is refused. */
  blocking: ActiveDecision[];
}

/**
 * A merge of residents holding `records` (both, together): every record chained to every other
 * by match decisions, the auditor's existing matches reused. `required`: a pair that must be one
 * of the decisions (the review item the auditor decided), unless it is already a match.
 */
export function planMerge(input: { records: readonly string[]; active: readonly ActiveDecision[]; required?: Pair }): MergePlan {
  const inside = new Set(input.records);
  const among = input.active.filter((d) => inside.has(d.recordA) && inside.has(d.recordB));
  const blocking = among.filter((d) => d.decision === 'non_match');
  const matches: Pair[] = among.filter((d) => d.decision === 'match').map((d) => orderedPair(d.recordA, d.recordB));
  const add: Pair[] = [];
  if (input.required) {
    const [a, b] = orderedPair(...input.required);
    if (!matches.some((m) => m[0] === a && m[1] === b)) add.push([a, b]);
  }
  add.push(...chain([...inside], [...matches, ...add]));
  return { add, blocking };
}

export interface SplitPlan {
  /** Non-match decisions to write: every moved record against every remaining one (those not decided so already). */
  nonMatch: Pair[];
  /** Match decisions across the split: revoked (the split says otherwise). */
  revoke: string[];
  /** Match decisions to write: the moved records chained, and on the remaining side the connections the revoked ones made. */
  match: Pair[];
  /** Non-matches among the moved records: moving them into one resident contradicts them. */
  blocking: ActiveDecision[];
}

/**
 * A split of one resident: `moved` go to a new resident, `remaining` stay. Both sides are the
 * whole resident. Decisions touching records outside it are left alone.
 */
export function planSplit(input: { moved: readonly string[]; remaining: readonly string[]; active: readonly ActiveDecision[] }): SplitPlan {
  const moved = new Set(input.moved);
  const remaining = new Set(input.remaining);
  const inResident = (id: string) => moved.has(id) || remaining.has(id);
  const among = input.active.filter((d) => inResident(d.recordA) && inResident(d.recordB));
  const crosses = (d: ActiveDecision) => moved.has(d.recordA) !== moved.has(d.recordB);

  const nonMatchDone = new Set(among.filter((d) => d.decision === 'non_match' && crosses(d)).map((d) => pairKey(d.recordA, d.recordB)));
  const nonMatch: Pair[] = [];
  for (const m of [...moved].sort(compareIds)) {
    for (const r of [...remaining].sort(compareIds)) if (!nonMatchDone.has(pairKey(m, r))) nonMatch.push(orderedPair(m, r));
  }

  const matches = among.filter((d) => d.decision === 'match');
  const revoke = matches.filter(crosses).map((d) => d.id);
  const kept: Pair[] = matches.filter((d) => !crosses(d)).map((d) => orderedPair(d.recordA, d.recordB));
  const blocking = among.filter((d) => d.decision === 'non_match' && moved.has(d.recordA) && moved.has(d.recordB));

  const match: Pair[] = chain([...moved], kept);
  // Remaining records the auditor's matches connected before (through any record of the
  // resident) stay connected: group them by their component before the split, chain each group.
  const before = new Components([...moved, ...remaining]);
  for (const d of matches) before.union(d.recordA, d.recordB);
  const groups = new Map<string, string[]>();
  for (const id of remaining) {
    const root = before.find(id);
    const list = groups.get(root);
    if (list) list.push(id);
    else groups.set(root, [id]);
  }
  for (const root of [...groups.keys()].sort(compareIds)) {
    const group = groups.get(root)!;
    if (group.length > 1) match.push(...chain(group, kept));
  }
  return { nonMatch, revoke, match, blocking };
}

/** The explanation columns of a resident_link row. */
export interface LinkExplanation {
  recordId: string;
  residentId: string;
  method: string;
  probability: number;
  partnerRecordId: string | null;
  weight: number | null;
  fieldWeights: Record<string, number> | null;
}

/**
 * How each link of the residents an action changed reads afterwards, as the linker would put
 * it as far as it can be known without scoring: alone → 'single'; held by an auditor's match in
 * its resident → 'auditor' (probability 1, that partner); still beside its partner → unchanged;
 * its partner gone to another resident → no partner nor weights (the next link run scores it).
 * `links`: every record of the changed residents, with its resident after the action.
 * Only the rows that change are returned.
 */
export function explainLinksAfter(links: readonly LinkExplanation[], matches: readonly Pair[]): LinkExplanation[] {
  const residentOf = new Map(links.map((l) => [l.recordId, l.residentId]));
  const size = new Map<string, number>();
  for (const l of links) size.set(l.residentId, (size.get(l.residentId) ?? 0) + 1);
  const auditorPartner = new Map<string, string>();
  for (const [a, b] of matches) {
    if (!residentOf.has(a) || residentOf.get(a) !== residentOf.get(b)) continue;
    for (const [x, y] of [[a, b], [b, a]] as const) {
      const known = auditorPartner.get(x);
      if (known === undefined || compareIds(y, known) < 0) auditorPartner.set(x, y);
    }
  }
  const out: LinkExplanation[] = [];
  for (const l of links) {
    let next: LinkExplanation;
    const partner = auditorPartner.get(l.recordId);
    if (size.get(l.residentId) === 1) next = { ...l, method: 'single', probability: 1, partnerRecordId: null, weight: null, fieldWeights: null };
    else if (partner !== undefined) next = { ...l, method: 'auditor', probability: 1, partnerRecordId: partner, weight: null, fieldWeights: null };
    else if (l.partnerRecordId !== null && residentOf.get(l.partnerRecordId) !== l.residentId) next = { ...l, partnerRecordId: null, weight: null, fieldWeights: null };
    else continue;
    if (next.method !== l.method || next.probability !== l.probability || next.partnerRecordId !== l.partnerRecordId || next.weight !== l.weight || next.fieldWeights !== l.fieldWeights) {
      out.push(next);
    }
  }
  return out;
}

/** A resident's state right after an action: what an undo expects to find. */
export interface ResidentMark {
  version: number;
  mergedInto: string | null;
  /** The golden record and the records behind it (resident.golden_hash). */
  goldenHash: string | null;
}

/**
 * Why an action can no longer be undone, or null. `after`: the residents as the action left
 * them; `now`: as they are; `later`: actions since on any of them, not undone. A resident at
 * a later version whose golden record and records are still those the action left (a later
 * action undone since) has not changed.
 */
export function undoBlocker(input: {
  actionId: string;
  undoneAt: string | null;
  after: Readonly<Record<string, ResidentMark>>;
  now: ReadonlyMap<string, ResidentMark>;
  later: readonly { id: string; kind: string; residentIds: readonly string[] }[];
}): string | null {
  if (input.undoneAt !== null) return `action ${input.actionId} was undone already (${input.undoneAt})`;
  if (input.later.length > 0) {
    const l = input.later[0]!;
    return `action ${l.id} (${l.kind}) has changed resident ${l.residentIds.join(' and ')} since action ${input.actionId}: undo action ${l.id} first`;
  }
  for (const [id, mark] of Object.entries(input.after).sort((x, y) => compareIds(x[0], y[0]))) {
    const now = input.now.get(id);
    if (now === undefined) return `resident ${id} no longer exists`;
    if (now.mergedInto !== mark.mergedInto) {
      return now.mergedInto === null
        ? `resident ${id} no longer redirects to ${mark.mergedInto}: it has changed since action ${input.actionId}`
        : `resident ${id} has been merged into resident ${now.mergedInto} since action ${input.actionId}`;
    }
    if (now.version !== mark.version && now.goldenHash !== mark.goldenHash) {
      return `resident ${id} has changed since action ${input.actionId} (version ${mark.version} then, ${now.version} now: a link run or another change touched it); undoing would overwrite that change`;
    }
  }
  return null;
}
