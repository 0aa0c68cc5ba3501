import { createHash } from 'node:crypto';

/**
 * Marks a query to run as a named prepared statement: `sql\`${PREPARED} select …\``. Planning
 * a short lookup costs the server several times its execution; a statement prepared once per
 * connection is planned once. Only for queries whose text never varies (the name is derived
 * from the text, and each connection keeps every statement it prepared).
 */
export const PREPARED_MARK = '/* prepared */';

const statementNames = new Map<string, string>();

export function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `rh_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    statementNames.set(text, name);
  }
  return name;
}
