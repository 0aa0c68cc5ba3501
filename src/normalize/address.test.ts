import { describe, it, expect } from 'vitest';
import { normalizeAddressText, parseAddress } from './address.js';
import type { AddressResult } from './types.js';

type Parts = Omit<AddressResult, 'original' | 'normalized'>;
const parts = (r: AddressResult | null): Parts | null => {
  if (r === null) return null;
  const { original: _o, normalized: _n, ...rest } = r;
  return rest;
};

describe('parseAddress', () => {
  it('splits the police example', () => {
    expect(parseAddress('河南省郑州市金水区北大街道西湖社区纬五路12号院3号楼2单元401')).toEqual({
      original: '河南省郑州市金水区北大街道西湖社区纬五路12号院3号楼2单元401',
      normalized: '河南省郑州市金水区北大街道西湖社区纬五路12号院3号楼2单元401',
      province: '河南省',
      city: '郑州市',
      district: '金水区',
      street: '北大街道',
      community: '西湖社区',
      road: '纬五路12号',
      estate: '纬五路12号院',
      building: '3',
      unit: '2',
      room: '401',
    });
  });

  it.each<[string, string, Parts]>([
    ['full-width digits and spaces', '河南省 郑州市 金水区 纬五路１２号院３号楼２单元４０１',
      { province: '河南省', city: '郑州市', district: '金水区', road: '纬五路12号', estate: '纬五路12号院', building: '3', unit: '2', room: '401' }],
    ['traditional characters', '河南省鄭州市金水區經三路3號樓2單元401',
      { province: '河南省', city: '郑州市', district: '金水区', road: '经三路', building: '3', unit: '2', room: '401' }],
    ['no province', '郑州市金水区花园路街道锦绣路小区二单元501室',
      { city: '郑州市', district: '金水区', street: '花园路街道', estate: '锦绣路小区', unit: '2', room: '501' }],
    ['district only, road with number', '金水区文化路1号', { district: '金水区', road: '文化路1号' }],
    ['short province name', '河南郑州市二七区幸福家园小区3-2-401',
      { province: '河南省', city: '郑州市', district: '二七区', estate: '幸福家园小区', building: '3', unit: '2', room: '401' }],
    ['estate with numbered compound and floor', '河南省郑州市中原区锦艺城12号院5号楼1单元9层902',
      { province: '河南省', city: '郑州市', district: '中原区', estate: '锦艺城12号院', building: '5', unit: '1', floor: '9', room: '902' }],
    ['栋 and 室', '郑州市金水区幸福小区8栋3单元602室',
      { city: '郑州市', district: '金水区', estate: '幸福小区', building: '8', unit: '3', room: '602' }],
    ['幢', '金水区幸福花园12幢1单元101', { district: '金水区', estate: '幸福花园', building: '12', unit: '1', room: '101' }],
    ['楼 alone as building', '西湖社区幸福家园3楼2单元401', { community: '西湖社区', estate: '幸福家园', building: '3', unit: '2', room: '401' }],
    ['# for 号', '幸福苑3#楼2单元401', { estate: '幸福苑', building: '3', unit: '2', room: '401' }],
    ['bare #', '幸福苑3#2单元401', { estate: '幸福苑', building: '3', unit: '2', room: '401' }],
    ['Chinese numeral unit', '幸福小区3号楼二单元401', { estate: '幸福小区', building: '3', unit: '2', room: '401' }],
    ['Chinese numeral building', '幸福小区三号楼十二单元401', { estate: '幸福小区', building: '3', unit: '12', room: '401' }],
    ['building, dashed unit-room', '幸福小区1号楼1-401', { estate: '幸福小区', building: '1', unit: '1', room: '401' }],
    ['letter building', '北京市朝阳区建国路88号现代城A座1201',
      { province: '北京市', city: '北京市', district: '朝阳区', road: '建国路88号', estate: '现代城', building: 'A', room: '1201' }],
    ['municipality without 市 repeated', '上海市上海市浦东新区世纪大道100号',
      { province: '上海市', city: '上海市', district: '浦东新区', road: '世纪大道100号' }],
    ['autonomous region', '新疆维吾尔自治区乌鲁木齐市天山区解放南路1号',
      { province: '新疆维吾尔自治区', city: '乌鲁木齐市', district: '天山区', road: '解放南路1号' }],
    ['short autonomous region', '广西南宁市青秀区民族大道1号',
      { province: '广西壮族自治区', city: '南宁市', district: '青秀区', road: '民族大道1号' }],
    ['autonomous prefecture and county', '云南省红河哈尼族彝族自治州屏边苗族自治县玉屏镇',
      { province: '云南省', city: '红河哈尼族彝族自治州', district: '屏边苗族自治县', street: '玉屏镇' }],
    ['county-level city', '河南省郑州市新郑市龙湖镇',
      { province: '河南省', city: '郑州市', district: '新郑市', street: '龙湖镇' }],
    ['county, town, village', '河南省周口市郸城县宁平镇张庄村3组',
      { province: '河南省', city: '周口市', district: '郸城县', street: '宁平镇', community: '张庄村', rest: '3组' }],
    ['居委会', '金水区北大街道西湖社区居委会', { district: '金水区', street: '北大街道', community: '西湖社区居委会' }],
    ['road named after a province', '上海路12号', { road: '上海路12号' }],
    ['road named after a province, with city', '郑州市金水区河南路3号', { city: '郑州市', district: '金水区', road: '河南路3号' }],
    ['road then estate', '金水区纬五路幸福小区3号楼2单元401',
      { district: '金水区', road: '纬五路', estate: '幸福小区', building: '3', unit: '2', room: '401' }],
    ['estate with phase', '幸福家园二期3号楼2单元401', { estate: '幸福家园二期', building: '3', unit: '2', room: '401' }],
    ['estate 新村 is not a village', '工人新村3号楼2单元401', { estate: '工人新村', building: '3', unit: '2', room: '401' }],
    ['unit, floor, room', '幸福小区3号楼2单元4楼401', { estate: '幸福小区', building: '3', unit: '2', floor: '4', room: '401' }],
    ['dashed building-unit-room', '幸福小区3-2-401室', { estate: '幸福小区', building: '3', unit: '2', room: '401' }],
    ['room only', '401', { room: '401' }],
    ['leading zeros dropped from building and unit', '幸福小区03号楼02单元0401', { estate: '幸福小区', building: '3', unit: '2', room: '0401' }],
    ['brackets removed for parsing', '金水区（西湖社区）纬五路12号', { district: '金水区', community: '西湖社区', road: '纬五路12号' }],
    ['nothing recognised', '某某附近', { rest: '某某附近' }],
  ])('%s: %s', (_label, input, expected) => {
    expect(parts(parseAddress(input))).toEqual(expected);
  });

  it('keeps the original and a normalised form', () => {
    const r = parseAddress(' 河南省鄭州市 金水區　纬五路１２号 ');
    expect(r?.original).toBe('河南省鄭州市 金水區　纬五路１２号');
    expect(r?.normalized).toBe('河南省郑州市金水区纬五路12号');
  });

  it.each([[null], [''], ['  '], ['无'], ['/']])('%j → null', (input) => {
    expect(parseAddress(input)).toBeNull();
  });
});

describe('normalizeAddressText', () => {
  it.each([
    ['河南省 郑州市', '河南省郑州市'],
    ['３号楼２单元', '3号楼2单元'],
    ['3—2—401', '3-2-401'],
    ['鄭州市金水區', '郑州市金水区'],
  ])('%j → %s', (input, out) => {
    expect(normalizeAddressText(input)).toBe(out);
  });
});
