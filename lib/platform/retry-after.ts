/**
 * How long a provider asked to wait, from the `Retry-After` header of an error it threw (a fetch
 * `Headers` or a plain object, as the SDKs expose them): seconds or an HTTP date, in milliseconds.
 */
export function retryAfterMs(headers: unknown): number | undefined {
  const value =
    typeof (headers as Headers | undefined)?.get === 'function'
      ? (headers as Headers).get('retry-after')
      : (headers as Record<string, unknown> | undefined)?.['retry-after'];
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
