/**
 * The pure comparison layer of the record linkage: two records' comparable views in, one
 * graded agreement LEVEL per field out. The Fellegi–Sunter model assigns an m and a u
 * probability to every level of every field; the level lists below are that model's
 * vocabulary, each ordered from the strongest agreement to disagreement, then 'missing'.
 *
 * Built for millions of candidate pairs: everything that depends on one record only is
 * computed once by `toComparable`; the compare functions only read fields, compare strings
 * and small integer arrays, and allocate nothing but compareRecords' result object.
 */
import { isValidIsoDate } from '../normalize/index.js';
import type { AddressResult } from '../normalize/index.js';
import { codePoints, isAdjacentTransposition, isOneInsertion, isOneSubstitution } from './text-distance.js';

// ------------------------------------------------------------------------------ levels

export const NAME_LEVELS = [
  'exact', // same name as written
  'simplified', // same match form: 張偉/张伟, 买买提·艾力/买买提艾力, 张 伟/张伟
  'former_name', // one side's name is the other's former name (曾用名)
  'pinyin', // same pinyin without tones: homophones 张玮/张伟
  'one_char', // same length (3+), one character differs: look-alike or typo
  'dropped_char', // one character missing or extra
  'surname_only',
  'different',
  'missing',
] as const;
export type NameLevel = (typeof NAME_LEVELS)[number];

export const ID_NUMBER_LEVELS = [
  'exact', // both usable (valid or upgraded) and equal
  'one_digit', // 18 characters, exactly one position differs
  'transposed', // two adjacent characters swapped
  'check_char', // first 17 equal, check character differs or one side fails validation
  'lost_digits_agree', // one side lost its tail (Excel) and the surviving digits agree
  'lost_digits_disagree',
  'different_valid', // both usable and different: strong evidence of two people
  'different',
  'missing',
] as const;
export type IdNumberLevel = (typeof ID_NUMBER_LEVELS)[number];

export const BIRTH_DATE_LEVELS = [
  'exact',
  'day_month_swapped', // 1985-03-12 / 1985-12-03
  'one_day',
  'same_year_month',
  'same_year',
  'age_compatible', // an age on the export date that the other side's birth date gives exactly
  'age_off_by_one',
  'different',
  'missing',
] as const;
export type BirthDateLevel = (typeof BIRTH_DATE_LEVELS)[number];

export const SEX_LEVELS = ['same', 'different', 'missing'] as const;
export type SexLevel = (typeof SEX_LEVELS)[number];

export const PHONE_LEVELS = [
  'same',
  'same_last_8', // same local number: a landline with and without its area code
  'different',
  'missing',
] as const;
export type PhoneLevel = (typeof PHONE_LEVELS)[number];

export const ADDRESS_LEVELS = [
  'same_room', // same estate/building/unit/room, or the same text
  'same_building',
  'same_estate', // same 小区/院 (or the same numbered compound on a road)
  'same_community', // same 社区/村
  'different',
  'missing',
] as const;
export type AddressLevel = (typeof ADDRESS_LEVELS)[number];

/** Index of each address level in ADDRESS_LEVELS: lower is better. */
const ADDRESS_RANK = {
  same_room: 0,
  same_building: 1,
  same_estate: 2,
  same_community: 3,
  different: 4,
  missing: 5,
} as const satisfies Record<AddressLevel, number>;

export const HOUSEHOLD_LEVELS = [
  'same_household', // same household/family number within one source (twins, siblings …)
  'spouse_link', // family-planning's spouse ID number on one side is the other's ID number
  'none',
] as const;
export type HouseholdLevel = (typeof HOUSEHOLD_LEVELS)[number];

/** The levels of every compared field, in the order of ComparisonVector. */
export const COMPARISON_LEVELS = {
  name: NAME_LEVELS,
  idNumber: ID_NUMBER_LEVELS,
  birthDate: BIRTH_DATE_LEVELS,
  sex: SEX_LEVELS,
  phone: PHONE_LEVELS,
  address: ADDRESS_LEVELS,
  household: HOUSEHOLD_LEVELS,
} as const;

export type ComparisonField = keyof typeof COMPARISON_LEVELS;
export const COMPARISON_FIELDS = Object.keys(COMPARISON_LEVELS) as readonly ComparisonField[];

export interface ComparisonVector {
  name: NameLevel;
  idNumber: IdNumberLevel;
  birthDate: BirthDateLevel;
  sex: SexLevel;
  phone: PhoneLevel;
  address: AddressLevel;
  household: HouseholdLevel;
}

// ------------------------------------------------------------------------------ comparable view

/** How far an ID number can be trusted for comparison. */
export type IdKind =
  | 'usable' // valid, or a valid legacy 15-digit number upgraded to 18
  | 'damaged' // 18 characters but failing validation (bad_check, bad_date, malformed)
  | 'prefix' // only the leading digits are known: Excel-damaged (lost_digits) or a lost tail
  | 'none'; // absent, or too damaged to say anything

/** One address reduced to the parts compared, built once per record. */
export interface AddressKey {
  /** NFKC, no spaces, simplified: identical text is the same place. */
  normalized: string;
  province: string | null;
  city: string | null;
  district: string | null;
  /** 社区/村 without its 居委会/社区 suffix: 西湖社区居委会 → 西湖; 村委会 → 村. */
  community: string | null;
  /** 小区/院/苑… as parsed, e.g. '广电南路58号院', '幸福小区'. */
  estate: string | null;
  /** A road with its number ('纬五路12号'), which names a compound as well as an estate does. */
  road: string | null;
  building: string | null;
  unit: string | null;
  floor: string | null;
  room: string | null;
  /** What identical text says: how deep this address goes (an ADDRESS_LEVELS rank). */
  identicalRank: number;
}

/** A source record as the comparisons need it; a plain object derived once from its data. */
export interface ComparableRecord {
  source: string;

  /** Name as written (trimmed). */
  name: string | null;
  /** Match form: simplified, separators and spaces removed. */
  nameMatch: string | null;
  /** Pinyin without tones, syllables separated by a space. */
  namePinyin: string | null;
  /** Code points of nameMatch, for the edit-distance levels. */
  nameChars: readonly number[] | null;
  surname: string | null;
  formerNameMatch: string | null;

  idKind: IdKind;
  idStatus: string | null;
  /** The 18-character number for 'usable' and 'damaged', else null. */
  idNumber: string | null;
  /** Code points of idNumber. */
  idChars: readonly number[] | null;
  /** For 'prefix': the leading digits known (at least 14: region and birth date). */
  idPrefix: string | null;
  /** A legacy number upgraded to 18: its check character was computed, not verified. */
  idUpgraded: boolean;
  /** The birth date the ID number carries (ISO), when its date part is a real date. */
  idBirthDate: string | null;

  /** The birth date compared: the record's own, else the ID number's (ISO). */
  birthDate: string | null;
  birthDateFromId: boolean;
  birthYear: number;
  /** month * 100 + day, so that calendar order is numeric order. */
  birthMonthDay: number;
  /** Days since 1970-01-01. */
  birthDayNumber: number;

  /** Whole years on exportDate, for records with an age and no birth date at all. */
  age: number | null;
  exportYear: number;
  exportMonthDay: number;
  /** The latest possible birth as a fractional year (export year − age + day of year). */
  ageBirthPoint: number;

  /** '1' male, '2' female: the record's own, else the ID number's. */
  sex: '1' | '2' | null;

  phone: string | null;
  /** The local number of a landline (after the area code), the last 8 digits of a mobile. */
  phoneTail: string | null;

  /** Distinct addresses of the record (address, currentAddress, registeredAddress). */
  addresses: readonly AddressKey[];

  /** Household/family key within the source (police 户号, minimum-allowance 家庭编号). */
  householdKey: string | null;
  /** Family-planning's spouse ID number, when 18 characters. */
  spouseIdNumber: string | null;
}

/** Below this many leading digits a damaged ID number says too little (14 = region + birth date). */
export const MIN_ID_PREFIX_DIGITS = 14;

const ADDRESS_FIELDS = ['address', 'currentAddress', 'registeredAddress'] as const;
/** Addresses where the person lives now, to which the record's community column applies. */
const LIVING_ADDRESS_FIELDS: ReadonlySet<string> = new Set(['address', 'currentAddress']);
const HOUSEHOLD_FIELDS = ['householdNumber', 'familyNumber'] as const;

// Longest first; [suffix, replacement].
const COMMUNITY_SUFFIXES: readonly (readonly [string, string])[] = [
  ['社区居民委员会', ''],
  ['社区居委会', ''],
  ['村民委员会', '村'],
  ['居民委员会', ''],
  ['村委会', '村'],
  ['居委会', ''],
  ['社区', ''],
];

function text(data: Record<string, unknown>, key: string): string | null {
  const v = data[key];
  return typeof v === 'string' && v !== '' ? v : null;
}

function isAllDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return s.length > 0;
}

/** 西湖社区居委会 → 西湖, 湾高村委会 → 湾高村; empty → null. */
export function communityCore(community: string | undefined | null): string | null {
  if (!community) return null;
  for (const [suffix, replacement] of COMMUNITY_SUFFIXES) {
    if (community.endsWith(suffix) && community.length > suffix.length) {
      return community.slice(0, community.length - suffix.length) + replacement;
    }
  }
  return community;
}

function isAddressResult(v: unknown): v is AddressResult {
  return typeof v === 'object' && v !== null && typeof (v as AddressResult).normalized === 'string';
}

/** The comparable parts of one parsed address; null when it says nothing below the district. */
export function toAddressKey(address: AddressResult, communityColumn: string | null = null): AddressKey | null {
  const community = communityCore(address.community ?? communityColumn);
  const road = address.road !== undefined && address.road.endsWith('号') ? address.road : null;
  const estate = address.estate ?? null;
  const building = address.building ?? null;
  const room = address.room ?? null;
  const rest = address.rest ?? null;
  let identicalRank: number;
  if (room !== null || rest !== null) identicalRank = ADDRESS_RANK.same_room;
  else if (building !== null) identicalRank = ADDRESS_RANK.same_building;
  else if (estate !== null || road !== null) identicalRank = ADDRESS_RANK.same_estate;
  else if (community !== null) identicalRank = ADDRESS_RANK.same_community;
  else return null;
  return {
    normalized: address.normalized,
    province: address.province ?? null,
    city: address.city ?? null,
    district: address.district ?? null,
    community,
    estate,
    road,
    building,
    unit: address.unit ?? null,
    floor: address.floor ?? null,
    room,
    identicalRank,
  };
}

function phoneTailOf(phone: string): string {
  const dash = phone.lastIndexOf('-');
  if (dash >= 0) return phone.slice(dash + 1);
  return phone.length > 8 ? phone.slice(phone.length - 8) : phone;
}

function dayNumber(y: number, m: number, d: number): number {
  return Math.round(Date.UTC(y, m - 1, d) / 86_400_000);
}

/**
 * Precomputes a record's comparable view from its source and normalised data (the `data`
 * object the adapters build). householdKey: undefined derives it from the data
 * (householdNumber, familyNumber); null means the record has none.
 */
export function toComparable(source: string, data: Record<string, unknown>, householdKey?: string | null): ComparableRecord {
  // Name
  const name = text(data, 'name');
  const nameMatch = text(data, 'nameMatch') ?? name;

  // ID number
  const idStatus = text(data, 'idNumberStatus');
  const idValue = text(data, 'idNumber');
  const surviving = text(data, 'idNumberSurvivingDigits');
  let idKind: IdKind = 'none';
  let idNumber: string | null = null;
  let idPrefix: string | null = null;
  if (idValue !== null && idValue.length === 18 && idStatus !== 'lost_digits') {
    idKind = idStatus === 'valid' || idStatus === 'upgraded' ? 'usable' : 'damaged';
    idNumber = idValue;
  } else if (idStatus === 'lost_digits' && surviving !== null && surviving.length >= MIN_ID_PREFIX_DIGITS) {
    idKind = 'prefix';
    idPrefix = surviving;
  } else if (
    // A lost tail typed as text: 15–17 digits that are the start of an 18-digit number.
    (idStatus === 'malformed' || idStatus === 'bad_date') &&
    idValue !== null &&
    idValue.length >= MIN_ID_PREFIX_DIGITS &&
    idValue.length < 18 &&
    isAllDigits(idValue)
  ) {
    idKind = 'prefix';
    idPrefix = idValue;
  }
  const idBirthDate = text(data, 'idNumberBirthDate');

  // Birth date: the record's own, else the ID number's.
  const ownBirth = text(data, 'birthDate');
  let birthDate: string | null = ownBirth !== null && isValidIsoDate(ownBirth) ? ownBirth : null;
  let birthDateFromId = false;
  if (birthDate === null && idBirthDate !== null && isValidIsoDate(idBirthDate)) {
    birthDate = idBirthDate;
    birthDateFromId = true;
  }
  let birthYear = 0;
  let birthMonthDay = 0;
  let birthDayNumber = 0;
  if (birthDate !== null) {
    birthYear = Number(birthDate.slice(0, 4));
    const m = Number(birthDate.slice(5, 7));
    const d = Number(birthDate.slice(8, 10));
    birthMonthDay = m * 100 + d;
    birthDayNumber = dayNumber(birthYear, m, d);
  }

  // Age on the export date, only when no birth date is known at all.
  let age: number | null = null;
  let exportYear = 0;
  let exportMonthDay = 0;
  let ageBirthPoint = 0;
  const rawAge = data.age;
  const exportDate = text(data, 'exportDate');
  if (birthDate === null && typeof rawAge === 'number' && Number.isInteger(rawAge) && rawAge >= 0 && exportDate !== null && isValidIsoDate(exportDate)) {
    age = rawAge;
    exportYear = Number(exportDate.slice(0, 4));
    const m = Number(exportDate.slice(5, 7));
    const d = Number(exportDate.slice(8, 10));
    exportMonthDay = m * 100 + d;
    ageBirthPoint = exportYear - age + ((m - 1) * 31 + d) / 373;
  }

  // Sex: the record's own, else the ID number's.
  const ownSex = data.sex;
  const idSex = data.idNumberSex;
  const sex = ownSex === '1' || ownSex === '2' ? ownSex : idSex === '1' || idSex === '2' ? idSex : null;

  const phone = text(data, 'phone');

  // Addresses, distinct by text.
  const addresses: AddressKey[] = [];
  const communityColumn = text(data, 'community');
  for (const field of ADDRESS_FIELDS) {
    const value = data[field];
    if (!isAddressResult(value)) continue;
    if (addresses.some((k) => k.normalized === value.normalized)) continue;
    const key = toAddressKey(value, LIVING_ADDRESS_FIELDS.has(field) ? communityColumn : null);
    if (key) addresses.push(key);
  }

  let household: string | null = null;
  if (householdKey === undefined) {
    for (const field of HOUSEHOLD_FIELDS) {
      household = text(data, field);
      if (household !== null) break;
    }
  } else {
    household = householdKey === '' ? null : householdKey;
  }

  const spouse = text(data, 'spouseIdNumber');

  return {
    source,
    name,
    nameMatch,
    namePinyin: text(data, 'namePinyin'),
    nameChars: nameMatch !== null ? codePoints(nameMatch) : null,
    surname: text(data, 'surname'),
    formerNameMatch: text(data, 'formerNameMatch'),
    idKind,
    idStatus,
    idNumber,
    idChars: idNumber !== null ? codePoints(idNumber) : null,
    idPrefix,
    idUpgraded: idStatus === 'upgraded',
    idBirthDate,
    birthDate,
    birthDateFromId,
    birthYear,
    birthMonthDay,
    birthDayNumber,
    age,
    exportYear,
    exportMonthDay,
    ageBirthPoint,
    sex,
    phone,
    phoneTail: phone !== null ? phoneTailOf(phone) : null,
    addresses,
    householdKey: household,
    spouseIdNumber: spouse !== null && spouse.length === 18 ? spouse : null,
  };
}

// ------------------------------------------------------------------------------ comparisons

export function compareName(a: ComparableRecord, b: ComparableRecord): NameLevel {
  const am = a.nameMatch;
  const bm = b.nameMatch;
  if (am === null || bm === null) return 'missing';
  if (a.name === b.name) return 'exact';
  if (am === bm) return 'simplified';
  if (a.formerNameMatch === bm || b.formerNameMatch === am) return 'former_name';
  if (a.namePinyin !== null && a.namePinyin === b.namePinyin) return 'pinyin';
  const ac = a.nameChars;
  const bc = b.nameChars;
  if (ac !== null && bc !== null) {
    if (ac.length === bc.length) {
      // At least two characters must agree: in a two-character name one differing
      // character is the whole given name (张伟/张丽 is surname_only).
      if (ac.length >= 3 && isOneSubstitution(ac, bc)) return 'one_char';
    } else if (Math.min(ac.length, bc.length) >= 2 && isOneInsertion(ac, bc)) {
      return 'dropped_char';
    }
  }
  if (a.surname !== null && a.surname === b.surname) return 'surname_only';
  return 'different';
}

function first17Equal(a: string, b: string): boolean {
  for (let i = 0; i < 17; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) return false;
  return true;
}

export function compareIdNumber(a: ComparableRecord, b: ComparableRecord): IdNumberLevel {
  if (a.idKind === 'none' || b.idKind === 'none') return 'missing';
  const an = a.idNumber;
  const bn = b.idNumber;
  if (an !== null && bn !== null) {
    if (a.idKind === 'usable' && b.idKind === 'usable') {
      if (an === bn) return 'exact';
      // MOD 11-2 catches every single-digit error and adjacent swap, so two usable numbers
      // that differ are two numbers (twins differ only in the sequence digits).
      return 'different_valid';
    }
    // At least one side fails validation (a typo the check character caught).
    if (first17Equal(an, bn)) return 'check_char';
    if (a.idChars !== null && b.idChars !== null) {
      if (isOneSubstitution(a.idChars, b.idChars)) return 'one_digit';
      if (isAdjacentTransposition(a.idChars, b.idChars)) return 'transposed';
    }
    return 'different';
  }
  // At least one side knows only its leading digits: compare what both know.
  const p = a.idPrefix ?? an;
  const q = b.idPrefix ?? bn;
  if (p === null || q === null) return 'missing';
  const agree = p.length <= q.length ? q.startsWith(p) : p.startsWith(q);
  return agree ? 'lost_digits_agree' : 'lost_digits_disagree';
}

export function compareBirthDate(a: ComparableRecord, b: ComparableRecord): BirthDateLevel {
  const aHas = a.birthDate !== null;
  const bHas = b.birthDate !== null;
  if (aHas && bHas) {
    if (a.birthDayNumber === b.birthDayNumber) return 'exact';
    if (a.birthYear === b.birthYear) {
      const am = (a.birthMonthDay / 100) | 0;
      const ad = a.birthMonthDay % 100;
      const bm = (b.birthMonthDay / 100) | 0;
      const bd = b.birthMonthDay % 100;
      if (am === bd && ad === bm) return 'day_month_swapped';
      const diff = a.birthDayNumber - b.birthDayNumber;
      if (diff === 1 || diff === -1) return 'one_day';
      return am === bm ? 'same_year_month' : 'same_year';
    }
    const diff = a.birthDayNumber - b.birthDayNumber;
    return diff === 1 || diff === -1 ? 'one_day' : 'different';
  }
  if (aHas && b.age !== null) return ageLevel(a, b);
  if (bHas && a.age !== null) return ageLevel(b, a);
  if (a.age !== null && b.age !== null) {
    // Each age places the birth in a one-year window ending on its export date.
    const gap = Math.abs(a.ageBirthPoint - b.ageBirthPoint);
    return gap < 1 ? 'age_compatible' : gap < 2 ? 'age_off_by_one' : 'different';
  }
  return 'missing';
}

/** The age `dated`'s birth date gives on `aged`'s export date, against `aged`'s age (ageOn's rule). */
function ageLevel(dated: ComparableRecord, aged: ComparableRecord): BirthDateLevel {
  const age = aged.exportYear - dated.birthYear - (aged.exportMonthDay < dated.birthMonthDay ? 1 : 0);
  const diff = age - (aged.age ?? 0);
  if (diff === 0) return 'age_compatible';
  return diff === 1 || diff === -1 ? 'age_off_by_one' : 'different';
}

export function compareSex(a: ComparableRecord, b: ComparableRecord): SexLevel {
  if (a.sex === null || b.sex === null) return 'missing';
  return a.sex === b.sex ? 'same' : 'different';
}

export function comparePhone(a: ComparableRecord, b: ComparableRecord): PhoneLevel {
  if (a.phone === null || b.phone === null) return 'missing';
  if (a.phone === b.phone) return 'same';
  return a.phoneTail !== null && a.phoneTail === b.phoneTail ? 'same_last_8' : 'different';
}

function conflicts(x: string | null, y: string | null): boolean {
  return x !== null && y !== null && x !== y;
}

/** ADDRESS_RANK of two addresses. */
function addressRank(x: AddressKey, y: AddressKey): number {
  if (x.normalized === y.normalized) return x.identicalRank;
  if (conflicts(x.province, y.province) || conflicts(x.city, y.city) || conflicts(x.district, y.district)) {
    return ADDRESS_RANK.different;
  }
  const communityConflict = conflicts(x.community, y.community);
  const sameEstate =
    !communityConflict && ((x.estate !== null && x.estate === y.estate) || (x.road !== null && x.road === y.road));
  if (sameEstate) {
    if (x.building === null || x.building !== y.building) return ADDRESS_RANK.same_estate;
    if (x.room !== null && x.room === y.room && x.unit === y.unit && !conflicts(x.floor, y.floor)) {
      return ADDRESS_RANK.same_room;
    }
    return ADDRESS_RANK.same_building;
  }
  if (x.community !== null && x.community === y.community) return ADDRESS_RANK.same_community;
  return ADDRESS_RANK.different;
}

/** The best agreement between any address of a and any address of b. */
export function compareAddress(a: ComparableRecord, b: ComparableRecord): AddressLevel {
  const xs = a.addresses;
  const ys = b.addresses;
  if (xs.length === 0 || ys.length === 0) return 'missing';
  let best: number = ADDRESS_RANK.different;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (x === undefined) continue;
    for (let j = 0; j < ys.length; j++) {
      const y = ys[j];
      if (y === undefined) continue;
      const rank = addressRank(x, y);
      if (rank < best) {
        best = rank;
        if (best === ADDRESS_RANK.same_room) return 'same_room';
      }
    }
  }
  return ADDRESS_LEVELS[best] ?? 'different';
}

export function compareHousehold(a: ComparableRecord, b: ComparableRecord): HouseholdLevel {
  if (a.householdKey !== null && a.householdKey === b.householdKey && a.source === b.source) return 'same_household';
  if ((a.spouseIdNumber !== null && a.spouseIdNumber === b.idNumber) || (b.spouseIdNumber !== null && b.spouseIdNumber === a.idNumber)) {
    return 'spouse_link';
  }
  return 'none';
}

/** Every field's level for one candidate pair. */
export function compareRecords(a: ComparableRecord, b: ComparableRecord): ComparisonVector {
  return {
    name: compareName(a, b),
    idNumber: compareIdNumber(a, b),
    birthDate: compareBirthDate(a, b),
    sex: compareSex(a, b),
    phone: comparePhone(a, b),
    address: compareAddress(a, b),
    household: compareHousehold(a, b),
  };
}
