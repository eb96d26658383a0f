/**
 * Where a problem is in a body, as `a.b[0].c`, the one spelling every validation error here uses.
 * Numbers, and keys made only of digits (how class-validator and JSON pointers name array items),
 * are array indexes.
 */
export function formatFieldPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((out, key) => {
    const text = String(key);
    if (typeof key === 'number' || /^\d+$/.test(text)) return `${out}[${text}]`;
    return out ? `${out}.${text}` : text;
  }, '');
}
