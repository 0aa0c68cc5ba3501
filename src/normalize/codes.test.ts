import { describe, it, expect } from 'vitest';
import {
  ETHNICITY_CODES,
  MARITAL_CODES,
  RELATIONSHIP_CODES,
  ethnicityLabel,
  maritalLabel,
  normalizeEthnicity,
  normalizeMaritalStatus,
  normalizePersonStatus,
  normalizeRelationship,
  normalizeSex,
  relationshipLabel,
  sexLabel,
} from './codes.js';

const EMPTY: unknown[][] = [[null], [''], ['  '], ['\u3000'], ['无']];

describe('normalizeSex (GB/T 2261.1)', () => {
  it.each<[unknown, string]>([
    ['男', '1'], ['男性', '1'], ['M', '1'], ['m', '1'], ['Male', '1'], ['1', '1'], [1, '1'], ['１', '1'], [' 男 ', '1'],
    ['女', '2'], ['女性', '2'], ['F', '2'], ['f', '2'], ['2', '2'], [2, '2'], ['２', '2'],
    ['未知', '0'], ['0', '0'], [0, '0'], ['不详', '0'],
    ['未说明', '9'], ['未说明的性别', '9'], ['9', '9'], [9, '9'],
  ])('%j → %s', (input, code) => {
    expect(normalizeSex(input as never)).toEqual({ ok: true, value: code });
  });

  it.each([['3'], ['男女'], ['x'], [true], [1.5]])('%j → error', (input) => {
    const r = normalizeSex(input);
    expect(r.ok).toBe(false);
  });

  it('names the value in the reason', () => {
    expect(normalizeSex('雄')).toEqual({ ok: false, reason: 'unknown sex: "雄"' });
  });

  it.each(EMPTY)('%j → empty', (input) => {
    expect(normalizeSex(input as never)).toEqual({ ok: 'empty' });
  });

  it.each([['1', '男'], ['2', '女'], ['0', '未知的性别'], ['9', '未说明的性别']])('sexLabel(%s) = %s', (code, label) => {
    expect(sexLabel(code)).toBe(label);
  });

  it('sexLabel of an unknown code is undefined', () => {
    expect(sexLabel('3')).toBeUndefined();
  });
});

describe('normalizeMaritalStatus (GB/T 2261.2)', () => {
  it.each<[unknown, string]>([
    ['未婚', '10'], ['10', '10'], [10, '10'],
    ['已婚', '20'], ['有配偶', '20'], ['20', '20'], [20, '20'], ['２０', '20'],
    ['初婚', '21'], ['21', '21'], ['再婚', '22'], ['22', '22'], ['复婚', '23'], ['復婚', '23'], ['23', '23'],
    ['丧偶', '30'], ['喪偶', '30'], ['30', '30'],
    ['离婚', '40'], ['離婚', '40'], ['离异', '40'], ['40', '40'],
    ['未说明', '90'], ['未说明的婚姻状况', '90'], ['90', '90'],
    // GB 4766-84 one-digit codes still found in old systems.
    ['1', '10'], [2, '20'], ['3', '30'], ['4', '40'], ['9', '90'],
  ])('%j → %s', (input, code) => {
    expect(normalizeMaritalStatus(input as never)).toEqual({ ok: true, value: code });
  });

  it.each([['55'], ['0'], ['同居'], ['无配偶']])('%j → error', (input) => {
    expect(normalizeMaritalStatus(input).ok).toBe(false);
  });

  it.each(EMPTY)('%j → empty', (input) => {
    expect(normalizeMaritalStatus(input as never)).toEqual({ ok: 'empty' });
  });

  it('labels every code', () => {
    for (const code of Object.keys(MARITAL_CODES)) expect(maritalLabel(code)).toBeTruthy();
    expect(maritalLabel('20')).toBe('已婚');
    expect(maritalLabel('99')).toBeUndefined();
  });
});

describe('normalizeEthnicity (GB 3304)', () => {
  it.each<[unknown, string]>([
    ['汉', '01'], ['汉族', '01'], ['漢族', '01'], ['漢', '01'], ['01', '01'], ['1', '01'], [1, '01'], ['１', '01'], [' 汉族 ', '01'],
    ['蒙古族', '02'], ['蒙古', '02'], ['蒙族', '02'], ['回族', '03'], ['藏族', '04'],
    ['维吾尔族', '05'], ['維吾爾族', '05'], ['维族', '05'], ['5', '05'], [5, '05'], ['05', '05'], ['5.0', '05'],
    ['朝鲜族', '10'], ['满族', '11'], ['滿族', '11'], ['土家族', '15'], ['哈萨克族', '17'],
    ['土族', '30'], ['仫佬族', '32'], ['仡佬族', '37'], ['锡伯族', '38'], ['俄罗斯族', '44'],
    ['鄂温克族', '45'], ['塔塔尔族', '50'], ['珞巴族', '55'], ['基诺族', '56'], ['56', '56'],
    ['其他', '97'], ['其它', '97'], ['97', '97'], ['穿青人', '97'],
    ['外国血统中国籍人士', '98'], ['外国血统', '98'], ['98', '98'],
  ])('%j → %s', (input, code) => {
    expect(normalizeEthnicity(input as never)).toEqual({ ok: true, value: code });
  });

  it.each([['57'], ['0'], ['99'], ['火星族'], ['汉汉']])('%j → error', (input) => {
    expect(normalizeEthnicity(input).ok).toBe(false);
  });

  it.each(EMPTY)('%j → empty', (input) => {
    expect(normalizeEthnicity(input as never)).toEqual({ ok: 'empty' });
  });

  it('has all 56 groups in the standard order, plus 97 and 98', () => {
    // Sorted: JS lists integer-like keys ('10') before the others ('01').
    const codes = Object.keys(ETHNICITY_CODES).sort();
    expect(codes).toHaveLength(58);
    expect(codes.slice(0, 56)).toEqual(Array.from({ length: 56 }, (_, i) => String(i + 1).padStart(2, '0')));
    expect(new Set(Object.values(ETHNICITY_CODES)).size).toBe(58);
    expect(ETHNICITY_CODES['29']).toBe('柯尔克孜');
    expect(ETHNICITY_CODES['43']).toBe('乌孜别克');
  });

  it('every name and name + 族 maps back to its code', () => {
    for (const [code, name] of Object.entries(ETHNICITY_CODES)) {
      expect(normalizeEthnicity(name)).toEqual({ ok: true, value: code });
      if (code !== '97' && code !== '98') expect(normalizeEthnicity(`${name}族`)).toEqual({ ok: true, value: code });
    }
  });

  it.each([['01', '汉族'], ['05', '维吾尔族'], ['56', '基诺族'], ['97', '其他'], ['98', '外国血统中国籍人士']])(
    'ethnicityLabel(%s) = %s',
    (code, label) => {
      expect(ethnicityLabel(code)).toBe(label);
    },
  );

  it('ethnicityLabel of an unknown code is undefined', () => {
    expect(ethnicityLabel('1')).toBeUndefined();
  });
});

describe('normalizeRelationship (GB/T 4761)', () => {
  it.each<[unknown, string, string]>([
    ['本人', '01', '本人'],
    ['户主', '02', '户主'],
    ['戶主', '02', '户主'],
    ['配偶', '10', '配偶'],
    ['爱人', '10', '配偶'],
    ['夫', '11', '夫'],
    ['丈夫', '11', '夫'],
    ['妻', '12', '妻'],
    ['妻子', '12', '妻'],
    ['子', '20', '子'],
    ['儿子', '20', '子'],
    ['之子', '20', '子'],
    ['户主之子', '20', '子'],
    ['独生子', '21', '独生子'],
    ['长子', '22', '长子'],
    ['長子', '22', '长子'],
    ['次子', '23', '次子'],
    ['三子', '24', '三子'],
    ['养子', '27', '养子或继子'],
    ['女婿', '28', '女婿'],
    ['女', '30', '女'],
    ['女儿', '30', '女'],
    ['之女', '30', '女'],
    ['户主的女儿', '30', '女'],
    ['独生女', '31', '独生女'],
    ['长女', '32', '长女'],
    ['次女', '33', '次女'],
    ['三女', '34', '三女'],
    ['儿媳', '38', '儿媳'],
    ['孙子女', '40', '孙子、孙女或外孙子、外孙女'],
    ['孙子', '41', '孙子'],
    ['孫子', '41', '孙子'],
    ['孙女', '42', '孙女'],
    ['外孙', '43', '外孙子'],
    ['外孙子', '43', '外孙子'],
    ['外孙女', '44', '外孙女'],
    ['父母', '50', '父母'],
    ['父亲', '51', '父亲'],
    ['之父', '51', '父亲'],
    ['母亲', '52', '母亲'],
    ['岳母', '56', '岳母'],
    ['祖父母', '60', '祖父母或外祖父母'],
    ['外祖父母', '60', '祖父母或外祖父母'],
    ['祖父', '61', '祖父'],
    ['祖母', '62', '祖母'],
    ['兄弟姐妹', '70', '兄弟姐妹'],
    ['兄', '71', '兄'],
    ['哥哥', '71', '兄'],
    ['弟', '73', '弟'],
    ['姐姐', '75', '姐姐'],
    ['姐', '75', '姐姐'],
    ['妹妹', '77', '妹妹'],
    ['其他', '80', '其他'],
    ['侄子', '93', '侄子'],
    ['其他亲属', '97', '其他亲属'],
    ['非亲属', '99', '非亲属'],
    ['02', '02', '户主'],
    ['2', '02', '户主'],
    [2, '02', '户主'],
    ['10', '10', '配偶'],
    [20, '20', '子'],
    ['30', '30', '女'],
    ['51', '51', '父亲'],
    ['52', '52', '母亲'],
    ['99', '99', '非亲属'],
  ])('%j → %s %s', (input, code, label) => {
    expect(normalizeRelationship(input as never)).toEqual({ ok: true, value: { code, label } });
  });

  it.each([['98'], ['00'], ['邻居的狗'], ['户主之猫']])('%j → error', (input) => {
    expect(normalizeRelationship(input)).toMatchObject({ ok: false, reason: expect.stringContaining(input) });
  });

  it.each(EMPTY)('%j → empty', (input) => {
    expect(normalizeRelationship(input as never)).toEqual({ ok: 'empty' });
  });

  it('every code answers to its own label', () => {
    for (const [code, label] of Object.entries(RELATIONSHIP_CODES)) {
      expect(normalizeRelationship(label)).toEqual({ ok: true, value: { code, label } });
      expect(relationshipLabel(code)).toBe(label);
    }
  });
});

describe('normalizePersonStatus (人员状态)', () => {
  it.each([
    ['正常', 'active'],
    [' 正常 ', 'active'],
    ['迁出', 'moved_out'],
    ['遷出', 'moved_out'],
    ['已迁出', 'moved_out'],
    ['死亡', 'deceased'],
    ['已死亡', 'deceased'],
    ['死亡注销', 'deceased'],
    ['注销', 'cancelled'],
    ['註銷', 'cancelled'],
  ])('%j → %s', (input, status) => {
    expect(normalizePersonStatus(input)).toEqual({ ok: true, value: status });
  });

  it.each([['失踪'], ['1'], ['暂住']])('%j → error', (input) => {
    expect(normalizePersonStatus(input)).toEqual({ ok: false, reason: `unknown person status: "${input}"` });
  });

  it.each(EMPTY)('%j → empty', (input) => {
    expect(normalizePersonStatus(input as never)).toEqual({ ok: 'empty' });
  });
});
