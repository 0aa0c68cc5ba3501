export type * from './types.js';
export * from './text.js';
export * from './id-number.js';
export * from './name.js';
export * from './date.js';
export * from './codes.js';
export * from './phone.js';
export * from './address.js';
