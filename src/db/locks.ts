/**
 * Advisory lock keys shared by features. The linker holds LINK exclusively for a whole run;
 * an import takes it shared while it queues its records for linking, at the end of its
 * transaction: so no import commits between a link run reading its work list and clearing it.
 */
export const LOCKS = {
  link: 0x52480001,
  /** Held for each audit append: the chain needs one writer at a time. */
  audit: 0x52480002,
} as const;
