import { AppError, ErrorCodes } from '../src/errors.js';
import { familyPlanningAdapter } from './family-planning/adapter.js';
import { floatingPopulationAdapter } from './floating-population/adapter.js';
import { minimumAllowanceAdapter } from './minimum-allowance/adapter.js';
import { policeAdapter } from './police/adapter.js';
import { SOURCE_NAMES, isSourceName, type SourceAdapter, type SourceName } from './types.js';

export const adapters: Readonly<Record<SourceName, SourceAdapter>> = {
  police: policeAdapter,
  'family-planning': familyPlanningAdapter,
  'floating-population': floatingPopulationAdapter,
  'minimum-allowance': minimumAllowanceAdapter,
};

export function adapterFor(source: string): SourceAdapter {
  if (!isSourceName(source)) {
    throw new AppError(ErrorCodes.UNKNOWN_SOURCE, `unknown source "${source}"; expected one of: ${SOURCE_NAMES.join(', ')}`);
  }
  return adapters[source];
}

export { SOURCE_NAMES, isSourceName };
export type { SourceAdapter, SourceName };
