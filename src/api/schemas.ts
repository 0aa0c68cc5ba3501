import { Type, type Static, type TSchema } from 'typebox';

/** The one error shape of the API. */
export const ErrorResponse = Type.Object(
  { error: Type.Object({ code: Type.String({ pattern: '^RH_ERR_' }), message: Type.String() }) },
  { $id: 'ErrorResponse', description: 'Every error: a stable code (RH_ERR_…) and a message' },
);
export type ErrorResponse = Static<typeof ErrorResponse>;

/** The error responses every /v1 route can give. */
export const commonErrors = {
  400: Type.Ref('ErrorResponse'),
  401: Type.Ref('ErrorResponse'),
  403: Type.Ref('ErrorResponse'),
  429: Type.Ref('ErrorResponse'),
} as const;

/** A resident, review item or other object id: a positive integer as text. */
export const IdParam = Type.String({ pattern: '^[1-9][0-9]{0,17}$', description: 'numeric id' });

/** Page size: default 20, at most 100. */
export const Limit = Type.Integer({ minimum: 1, maximum: 100, default: 20 });

/** A page of items and the cursor or offset of the next one (null at the end). */
export function Page<T extends TSchema>(item: T, description?: string) {
  return Type.Object({ items: Type.Array(item), next: Type.Union([Type.String(), Type.Null()]) }, description ? { description } : {});
}
