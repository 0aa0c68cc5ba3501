/** Shapes returned by the normalisers. Normalisers are pure: no I/O, no clock, no randomness. */

/** A problem with one field of one row. Stored with the record; never a reason to drop the row. */
export interface FieldFlag {
  /** Adapter field key, e.g. 'idNumber', 'birthDate'. */
  field: string;
  /** Stable code, e.g. 'id_bad_check', 'id_lost_digits', 'date_invalid', 'birth_date_disagrees_with_id'. */
  code: string;
  /** Human-readable, in English, naming the offending value. */
  message: string;
}

export type IdNumberStatus =
  | 'valid' // 18 characters, region/date plausible, check character right
  | 'upgraded' // a valid legacy 15-digit number, upgraded to 18
  | 'bad_check' // 18 characters, plausible date, wrong check character
  | 'bad_date' // the birth-date part is not a real date
  | 'lost_digits' // stored as an Excel number: trailing digits lost for good
  | 'malformed' // wrong length or characters
  | 'empty';

export interface IdNumberResult {
  status: IdNumberStatus;
  /** The raw text as found, for display and reports. */
  original: string;
  /**
   * Canonical form: 18 characters, upper-case X, for 'valid', 'upgraded' and 'bad_check'
   * (the number as typed, cleaned); for 'bad_date'/'malformed' the cleaned text; absent for
   * 'lost_digits' and 'empty'.
   */
  value?: string;
  /** For 'lost_digits': the leading digits that survived (Excel keeps 15 significant digits). */
  survivingDigits?: string;
  /** Derived from the number when its date part is a real date. */
  birthDate?: string;
  /** GB/T 2261.1 code derived from the sequence digit: '1' male, '2' female. */
  sex?: '1' | '2';
  regionCode?: string;
}

export interface NameResult {
  /** As found, trimmed. */
  original: string;
  /** For display: padding between Han characters removed (张\u3000伟 → 张伟), separators unified to '·'. */
  display: string;
  /** For matching: NFKC, simplified characters, separators, spaces and bracketed remarks removed, Latin lower-cased. */
  matchForm: string;
  /** Full pinyin without tones, syllables separated by one space, surname read correctly. */
  pinyin: string;
  /** Pinyin without spaces, for blocking. */
  pinyinKey: string;
  /** Surname (compound surnames such as 欧阳, 司马 recognised), in the match form. */
  surname: string;
  surnamePinyin: string;
  /** True when the original contained traditional characters that were converted. */
  wasTraditional: boolean;
  /** True for names with a minority-name separator (·, •, ., ・ …), unified to '·' in display. */
  hasSeparator: boolean;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string } | { ok: 'empty' };

export interface PhoneResult {
  /** Digits only for mobiles ('13812345678'); 'area-number' for landlines ('0371-65432100'). */
  value: string;
  kind: 'mobile' | 'landline';
  /** Extension of a landline ('0371-65432100-8001', '…转8001'). */
  extension?: string;
  /** Further numbers in the same cell ('138…/0371-…'), normalised the same way. */
  alternates?: string[];
}

/** 人员状态 of a police record. */
export type PersonStatus = 'active' | 'moved_out' | 'deceased' | 'cancelled';

/** A coded value with its standard label, e.g. GB/T 4761 { code: '20', label: '子' }. */
export interface CodeAndLabel {
  code: string;
  label: string;
}

export interface AddressResult {
  original: string;
  /** NFKC, spaces removed, simplified characters; for comparison. */
  normalized: string;
  province?: string;
  city?: string;
  district?: string;
  /** 街道 / 镇 / 乡 */
  street?: string;
  /** 社区 / 村 / 居委会 */
  community?: string;
  /** Road and number, e.g. '纬五路12号' */
  road?: string;
  /** 小区 / 院 / 苑 / 花园 */
  estate?: string;
  /** 楼 / 栋 / 幢 / 号楼 — the number only */
  building?: string;
  /** 单元 — the number only */
  unit?: string;
  /** 层 / 楼 after the unit — the number only */
  floor?: string;
  /** 室 / the trailing room number */
  room?: string;
  /** Whatever followed the last part that was recognised. */
  rest?: string;
}
