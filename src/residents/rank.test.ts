import { describe, expect, it } from 'vitest';
import { readName } from './query.js';
import { addNameHit, nameReason, newCandidate, rankCandidates, type Candidate, type NameHit } from './rank.js';

const hit = (name: string, nameMatch: string, namePinyin: string, formerNameMatch: string | null = null): NameHit => ({ name, nameMatch, namePinyin, formerNameMatch });

describe('nameReason', () => {
  const q = readName('張偉');
  it.each([
    ['written exactly as typed', hit('張偉', '张伟', 'zhang wei'), 'name_exact'],
    ['the same name in simplified characters', hit('张伟', '张伟', 'zhang wei'), 'name_variant'],
    ['a former name', hit('李强', '李强', 'li qiang', '张伟'), 'former_name'],
    ['a homophone', hit('章玮', '章玮', 'zhang wei'), 'homophone'],
    ['another name', hit('李娜', '李娜', 'li na'), null],
  ])('%s', (_what, h, reason) => {
    expect(nameReason(q, h)).toBe(reason);
  });

  it('reads a pinyin query against the stored pinyin only', () => {
    const p = readName('zhangwei');
    expect(nameReason(p, hit('张伟', '张伟', 'zhang wei'))).toBe('pinyin');
    expect(nameReason(p, hit('章玮', '章玮', 'zhang wei'))).toBe('pinyin');
    expect(nameReason(p, hit('张维', '张维', 'zhang wen'))).toBeNull();
  });
});

function candidate(id: string, ...hits: [string, NameHit][]): Candidate {
  const c = newCandidate(id);
  for (const [reason, h] of hits) addNameHit(c, reason as never, h);
  return c;
}

describe('rankCandidates', () => {
  it('puts exact writing first, then other writings, former names and homophones', () => {
    const q = readName('张伟');
    const ranked = rankCandidates(q, [
      candidate('5', ['homophone', hit('章玮', '章玮', 'zhang wei')]),
      candidate('7', ['former_name', hit('李强', '李强', 'li qiang', '张伟')]),
      candidate('9', ['name_exact', hit('张伟', '张伟', 'zhang wei')]),
      candidate('3', ['name_variant', hit('張偉', '张伟', 'zhang wei')]),
    ]);
    expect(ranked.map((r) => r.residentId)).toEqual(['9', '3', '7', '5']);
    expect(ranked[0]).toMatchObject({ score: 1, reasons: ['name_exact'] });
    expect(ranked[3]!.score).toBeLessThan(1);
  });

  it('orders equal hits by closeness of their names (fuse.js), then by resident id', () => {
    const q = readName('zhangwei');
    const ranked = rankCandidates(q, [
      candidate('20', ['pinyin', hit('张伟', '张伟', 'zhang wei')]),
      candidate('10', ['pinyin', hit('张伟', '张伟', 'zhang wei')]),
      candidate('2', ['pinyin', hit('章玮', '章玮', 'zhang wei')]),
    ]);
    expect(ranked.map((r) => r.residentId)).toEqual(['2', '10', '20']);
  });

  it('within a tier, puts the names closer to the typed characters first', () => {
    const q = readName('张伟');
    const ranked = rankCandidates(q, [
      candidate('1', ['homophone', hit('章玮', '章玮', 'zhang wei')]),
      candidate('2', ['homophone', hit('章伟', '章伟', 'zhang wei')]),
    ]);
    expect(ranked.map((r) => r.residentId)).toEqual(['2', '1']);
    expect(ranked[0]!.score).toBeGreaterThan(ranked[1]!.score);
  });

  it('puts residents living nearer the address typed before the rest of their tier', () => {
    const q = readName('张伟');
    const a = candidate('1', ['name_exact', hit('张伟', '张伟', 'zhang wei')]);
    const b = candidate('2', ['name_exact', hit('张伟', '张伟', 'zhang wei')]);
    b.reasons.add('address');
    b.address = 2;
    expect(rankCandidates(q, [a, b]).map((r) => r.residentId)).toEqual(['2', '1']);
  });

  it('without a name, keeps every candidate at score 1 in resident id order', () => {
    const a = newCandidate('12');
    const b = newCandidate('3');
    a.reasons.add('id_number');
    b.reasons.add('id_number');
    expect(rankCandidates(null, [a, b])).toEqual([
      { residentId: '3', score: 1, reasons: ['id_number'] },
      { residentId: '12', score: 1, reasons: ['id_number'] },
    ]);
  });
});
