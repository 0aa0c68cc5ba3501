import { commonZh, type MessageKey } from './zh-CN.js';
import { searchMessages } from './messages/search.js';
import { residentMessages } from './messages/resident.js';
import { importsMessages } from './messages/imports.js';
import { reviewMessages } from './messages/review.js';
import { conflictsMessages } from './messages/conflicts.js';
import { statsMessages } from './messages/stats.js';
import { auditMessages } from './messages/audit.js';
import { recordMessages } from './messages/record.js';


/** English: every key of the Chinese dictionary (the types make a missing one a compile error). */
const common: Record<keyof typeof commonZh, string> = {
  'app.title': 'Resident information hub',
  'lang.switch': '中文',
  'lang.label': 'Language',
  'nav.label': 'Main navigation',
  'nav.search': 'Residents',
  'nav.imports': 'Imports',
  'nav.review': 'Review queue',
  'nav.conflicts': 'Conflicts and alerts',
  'nav.stats': 'Island map',
  'nav.audit': 'Audit log',
  'signIn.title': 'Sign in',
  'signIn.intro': "Enter your department's API key (it starts with rhk_). The key is kept in this browser tab only; close it and you sign in again.",
  'signIn.key': 'API key',
  'signIn.submit': 'Sign in',
  'signIn.invalid': 'The key is unknown or revoked',
  'signIn.signedInAs': 'Signed in as {name} ({role})',
  'signOut': 'Sign out',
  'role.police': 'Police station',
  'role.family-planning': 'Family planning',
  'role.civil-affairs': 'Civil affairs',
  'role.community': 'Community office',
  'role.auditor': 'Auditor',
  'role.admin': 'District IT administrator',
  'source.police': 'Police household registry',
  'source.family-planning': 'Family-planning resident population',
  'source.floating-population': 'Floating-population platform',
  'source.minimum-allowance': 'Minimum living allowance',
  'sourceShort.police': 'Police',
  'sourceShort.family-planning': 'Family planning',
  'sourceShort.floating-population': 'Floating',
  'sourceShort.minimum-allowance': 'Allowance',
  'common.loading': 'Loading…',
  'common.error': 'Something went wrong: {message}',
  'common.retry': 'Retry',
  'common.none': 'None',
  'common.next': 'Next',
  'common.previous': 'Previous',
  'common.cancel': 'Cancel',
  'common.forbidden': 'Your role may not open this page',
  'common.notFound': 'No such page',
};

export const en: Record<MessageKey, string> = {
  ...common,
  ...searchMessages.en,
  ...residentMessages.en,
  ...importsMessages.en,
  ...reviewMessages.en,
  ...conflictsMessages.en,
  ...statsMessages.en,
  ...auditMessages.en,
  ...recordMessages.en,
};
