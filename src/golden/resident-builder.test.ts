import { describe, expect, it } from 'vitest';
import { buildResident, toGoldenInput, type ResidentSnapshot, type StoredRecord } from './resident-build.js';
import { isKeySorted, sortKeys, stableStringify } from './stable-json.js';
import { buildGoldenRecord } from './survivorship.js';
import { inlineBuilder, workerBuilder } from './resident-builder.js';
import { ADDRESS, allowance, familyPlanning, floating, ID_MAN, ID_OTHER_MAN, ID_WOMAN, police } from './test-helpers.js';
import type { GoldenInput } from './types.js';

/** A record as the golden stage reads it from the database. */
function stored(input: GoldenInput): StoredRecord {
  return { recordId: input.recordId, source: input.source, present: input.present, dataJson: JSON.stringify(input.data), batchDate: input.observedAt };
}

/** Residents covering a new version, a changed one, an unchanged one, conflicts, alerts, a standing decision and no records. */
function snapshots(): ResidentSnapshot[] {
  const man = [
    police({ name: '张伟', idNumber: ID_MAN, address: ADDRESS.home, maritalStatus: '已婚' }, { id: '11' }),
    familyPlanning({ name: '张伟', idNumber: ID_MAN, maritalStatus: '离婚' }, { id: '12' }),
    floating({ name: '张伟', idNumber: ID_MAN, currentAddress: ADDRESS.rented }, { id: '13' }),
  ].map(stored);
  const conflicting = [police({ name: '李娜', idNumber: ID_WOMAN }, { id: '21' }), familyPlanning({ name: '李鄉', idNumber: ID_WOMAN, birthDate: '1992-08-16' }, { id: '22' })].map(stored);
  const deceased = [
    police({ name: '王强', idNumber: ID_OTHER_MAN, personStatus: '死亡', statusDate: '20260915' }, { id: '31', observedAt: '2026-09-30' }),
    allowance({ name: '王强', idNumber: ID_OTHER_MAN, category: '城市低保', monthlyAmount: 640, approvedOn: '2024-05-01' }, { id: '32', observedAt: '2026-10-31' }),
  ].map(stored);
  const first = buildResident({ id: '1', records: man, decisions: [], state: null, reserved: true }, false);
  const previous = { version: 1, goldenJson: first.write!.goldenJson, goldenHash: first.write!.goldenHash };
  return [
    { id: '1', records: man, decisions: [], state: null, reserved: true },
    { id: '2', records: man, decisions: [], state: previous, reserved: false },
    { id: '3', records: man.slice(0, 2), decisions: [], state: previous, reserved: false },
    { id: '4', records: conflicting, decisions: [{ field: 'name', value: '李鄉', sourceRecordId: '22', reason: '户口本核对', decidedAt: '2026-10-01T00:00:00.000Z' }], state: null, reserved: false },
    { id: '5', records: deceased, decisions: [], state: null, reserved: true },
    { id: '6', records: [], decisions: [], state: null, reserved: true },
  ];
}

describe('resident builders', () => {
  it('builds the same outcomes on a worker thread as inline, in order', async () => {
    const worker = await workerBuilder();
    try {
      expect(worker.onWorker).toBe(true);
      for (const withIdNumbers of [false, true]) {
        const inline = await inlineBuilder(2).build(snapshots(), withIdNumbers);
        const onWorker = await worker.build(snapshots(), withIdNumbers);
        expect(onWorker).toEqual(inline);
      }
    } finally {
      await worker.close();
    }
  });

  it('says what each resident needs: a first version inserted, a version only when something changed, findings, ID numbers', async () => {
    const outcomes = await inlineBuilder().build(snapshots(), true);
    const byId = new Map(outcomes.map((o) => [o.id, o]));
    expect(byId.get('1')!.write).toMatchObject({ version: 1, isNew: true, changesJson: null, members: ['11', '12', '13'], columns: { name: '张伟', idNumber: ID_MAN } });
    // The same records as the stored version: nothing to write.
    expect(byId.get('2')!.write).toBeNull();
    const changed = byId.get('3')!.write!;
    expect(changed).toMatchObject({ version: 2, isNew: false, members: ['11', '12'] });
    expect(JSON.parse(changed.changesJson!)).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'currentAddress' })]));
    expect(byId.get('4')!.write!.columns.name).toBe('李鄉');
    expect(byId.get('4')!.write!.isNew).toBe(false);
    expect(byId.get('4')!.issues.map((i) => `${i.category}:${i.kind}:${i.status}`).sort()).toEqual(['conflict:name_conflict:resolved']);
    expect(byId.get('5')!.issues.map((i) => i.kind)).toEqual(['deceased_receiving_allowance']);
    expect(byId.get('5')!.idNumbers).toEqual([ID_OTHER_MAN, ID_OTHER_MAN]);
    expect(byId.get('6')).toEqual({ id: '6', built: false, write: null, issues: [], idNumbers: [] });
  });

  it('builds golden records with their keys in order, so that their stable JSON needs no sorted copy', () => {
    const list = snapshots();
    const man = list[0]!.records;
    // Decisions whose values are objects with their keys out of order, one of them stale.
    const address = { room: '401', normalized: '河南省郑州市金水区纬五路12号院3号楼2单元401', original: '纬五路12号院3号楼2单元401' };
    list.push({
      id: '7',
      records: man,
      decisions: [
        { field: 'currentAddress', value: address, sourceRecordId: '13', reason: '入户核实', decidedAt: '2026-10-02T00:00:00.000Z' },
        { field: 'status', value: 'alive', sourceRecordId: '11', reason: '核实', decidedAt: '2026-10-02T00:00:00.000Z' },
        { field: 'registeredAddress', value: address, sourceRecordId: '99', reason: '核实', decidedAt: '2026-10-02T00:00:00.000Z' },
      ],
      state: null,
      reserved: false,
    });
    let stale = 0;
    for (const snapshot of list.filter((s) => s.records.length > 0)) {
      const golden = buildGoldenRecord(snapshot.records.map(toGoldenInput), snapshot.decisions);
      stale += golden.staleDecisions.length;
      expect(isKeySorted(golden), snapshot.id).toBe(true);
      expect(stableStringify(golden)).toBe(JSON.stringify(sortKeys(golden)));
    }
    expect(stale).toBe(2);
  });

  it('fails the chunk, not the process, when the worker cannot build it', async () => {
    const worker = await workerBuilder();
    try {
      const broken: ResidentSnapshot = { id: '9', records: [{ recordId: '91', source: 'police', present: true, dataJson: '{not json', batchDate: '2026-10-31' }], decisions: [], state: null, reserved: false };
      await expect(worker.build([broken], false)).rejects.toThrow(/golden worker: .*JSON/);
      // The worker answers the next chunk.
      expect((await worker.build(snapshots().slice(0, 1), false))[0]!.write!.version).toBe(1);
    } finally {
      await worker.close();
    }
  });
});
