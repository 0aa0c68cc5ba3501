/**
 * What a resident search asks for, read from the query string: an ID number in any form, a
 * name in characters (simplified or traditional) or pinyin, a birth date, a community, or
 * free text `q` that is one of these or an address. Pure: no I/O.
 */
import { AppError, ErrorCodes } from '../errors.js';
import { communityCore } from '../linkage/compare.js';
import { normalizeIdNumber, normalizeName, parseAddress, parseDate } from '../normalize/index.js';
import { pinyinReadings, pinyinWords } from './pinyin.js';

export interface SearchParams {
  id_number?: string;
  name?: string;
  birth_date?: string;
  community?: string;
  q?: string;
}

export interface NameQuery {
  /** As typed (trimmed): a record written exactly so is the best hit. */
  typed: string;
  script: 'han' | 'pinyin';
  /** Han: the match form (simplified, no separators) that traditional spellings share. */
  matchForm: string | null;
  /** The spaced pinyin readings the name stands for ('zhang wei'); homophones share them. */
  readings: string[];
  /** What fuzzy ranking compares candidates' names with: the match form, or the pinyin without spaces. */
  rankText: string;
}

/** The parts of a typed address below its community, to put the residents living nearest it first. */
export interface AddressQuery {
  estate: string | null;
  road: string | null;
  building: string | null;
  unit: string | null;
  room: string | null;
}

/** The parts of a stored address compared with a typed one (an AddressResult's). */
export type AddressParts = Partial<Record<keyof AddressQuery, string>>;

/**
 * How close a resident's address is to the typed one, going down from the compound: 0 not in
 * the same compound (estate, or road with its number), 1 the same compound, 2 the same
 * building, 3 the same unit, 4 the same flat. Parts the query leaves out end the descent.
 */
export function addressCloseness(query: AddressQuery, address: AddressParts | null | undefined): number {
  if (!address) return 0;
  const sameCompound = (query.estate !== null && query.estate === address.estate) || (query.road !== null && query.road === address.road);
  if (!sameCompound) return 0;
  let n = 1;
  for (const part of ['building', 'unit', 'room'] as const) {
    if (query[part] === null || query[part] !== address[part]) break;
    n++;
  }
  return n;
}

export type CriterionKind = 'idNumber' | 'name' | 'birthDate' | 'community' | 'address';

export interface SearchPlan {
  /** The canonical 18-character number (a 15-digit one upgraded), or the cleaned text of a damaged one. */
  idNumber: string | null;
  name: NameQuery | null;
  birthDate: string | null;
  /** A community without its suffix (西湖社区居委会 → 西湖), as compare.ts's communityCore. */
  community: string | null;
  address: AddressQuery | null;
  /** The kinds asked for, for the audit (never the values). */
  kinds: CriterionKind[];
  /** What free text `q` was read as. */
  qKind: CriterionKind | null;
}

function invalid(message: string): AppError {
  return new AppError(ErrorCodes.VALIDATION, message);
}

function clean(text: string): string {
  return text.normalize('NFKC').trim();
}

/** 15 or 18 characters of digits (ASCII or full-width, spaces and hyphens allowed), X last. */
const ID_LIKE = /^(?:\d{15}|\d{17}[\dX])$/i;
const DATE_LIKE = /^(?:\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|\d{8})$/;
/** Words only an address holds; a name never ends so. */
const ADDRESS_WORDS = /社区|居委会|村委会|街道|小区|[省市区县镇乡村组路街巷号院苑楼室]$|单元|号楼/;

export function readIdNumber(text: string): string {
  const result = normalizeIdNumber(clean(text));
  if (result.value === undefined) {
    throw invalid(
      result.status === 'lost_digits'
        ? 'id_number: the number lost its last digits (an Excel number); search with the full number'
        : 'id_number: not an ID number',
    );
  }
  return result.value;
}

export function readBirthDate(text: string): string {
  const parsed = parseDate(clean(text));
  if (parsed.ok !== true) throw invalid('birth_date: not a date (e.g. 1990-03-07)');
  return parsed.value;
}

export function readName(text: string): NameQuery {
  const typed = clean(text);
  if (pinyinWords(typed) !== null) {
    const readings = pinyinReadings(typed);
    if (readings.length === 0) throw invalid('name: neither Chinese characters nor pinyin');
    return { typed, script: 'pinyin', matchForm: null, readings, rankText: readings[0]!.replaceAll(' ', '') };
  }
  const name = normalizeName(typed);
  if (name === null) throw invalid('name: empty');
  return { typed, script: 'han', matchForm: name.matchForm, readings: name.pinyin ? [name.pinyin] : [], rankText: name.matchForm };
}

export function readCommunity(text: string): string {
  const core = communityCore(clean(text).replace(/\s+/g, ''));
  if (!core) throw invalid('community: empty');
  return core;
}

/** Free text as an address: its community, and the most specific part below it. */
export function readAddress(text: string): { community: string; address: AddressQuery } {
  const parsed = parseAddress(clean(text));
  const community = communityCore(parsed?.community ?? null);
  if (!parsed || !community) throw invalid('q: an address search needs its community (…社区 or …村)');
  return {
    community,
    address: { estate: parsed.estate ?? null, road: parsed.road ?? null, building: parsed.building ?? null, unit: parsed.unit ?? null, room: parsed.room ?? null },
  };
}

/** What free text is: an ID number, a birth date, a name (characters or pinyin), or an address. */
export function classifyText(text: string): CriterionKind {
  const t = clean(text);
  const compact = t.replace(/[\s-]/g, '');
  if (ID_LIKE.test(compact)) return 'idNumber';
  if (DATE_LIKE.test(compact) && parseDate(compact).ok === true) return 'birthDate';
  if (pinyinWords(t) !== null) return 'name';
  const han = [...compact].length;
  // Short text is a name unless it says 社区, 村… itself ('王村' is a place, '王小村' rarely a person).
  if (ADDRESS_WORDS.test(compact) && (han > 4 || /社区|居委会|村委会|街道|村$/.test(compact))) {
    const parsed = parseAddress(t);
    if (parsed && (parsed.community || parsed.road || parsed.estate || parsed.building)) return 'address';
  }
  return 'name';
}

/** The search plan of a query; RH_ERR_VALIDATION when it asks for nothing or for something unreadable. */
export function planSearch(params: SearchParams): SearchPlan {
  const plan: SearchPlan = { idNumber: null, name: null, birthDate: null, community: null, address: null, kinds: [], qKind: null };
  const given = (v: string | undefined): v is string => v !== undefined && clean(v) !== '';
  if (given(params.id_number)) plan.idNumber = readIdNumber(params.id_number);
  if (given(params.name)) plan.name = readName(params.name);
  if (given(params.birth_date)) plan.birthDate = readBirthDate(params.birth_date);
  if (given(params.community)) plan.community = readCommunity(params.community);
  if (given(params.q)) {
    const kind = classifyText(params.q);
    plan.qKind = kind;
    const taken = (what: string) => invalid(`q reads as ${what}, and ${what} is given too: give it once`);
    switch (kind) {
      case 'idNumber':
        if (plan.idNumber !== null) throw taken('an ID number');
        plan.idNumber = readIdNumber(params.q);
        break;
      case 'birthDate':
        if (plan.birthDate !== null) throw taken('a birth date');
        plan.birthDate = readBirthDate(params.q);
        break;
      case 'name':
        if (plan.name !== null) throw taken('a name');
        plan.name = readName(params.q);
        break;
      default: {
        const { community, address } = readAddress(params.q);
        if (plan.community !== null && plan.community !== community) throw taken('a community');
        plan.community = community;
        plan.address = address;
      }
    }
  }
  if (plan.idNumber !== null) plan.kinds.push('idNumber');
  if (plan.name !== null) plan.kinds.push('name');
  if (plan.birthDate !== null) plan.kinds.push('birthDate');
  if (plan.community !== null) plan.kinds.push('community');
  if (plan.address !== null) plan.kinds.push('address');
  if (plan.kinds.length === 0) throw invalid('give at least one of id_number, name, birth_date, community or q');
  return plan;
}

