type IncomingHeaders = Record<string, string | string[] | undefined>;

/** The listed headers of the caller's request (Express and Fastify both key them lower-cased). */
export function pickHeaders(request: unknown, names: Iterable<string>): Record<string, string> {
  const incoming = (request as { headers?: IncomingHeaders } | undefined)?.headers ?? {};
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = incoming[name];
    if (typeof value === 'string') picked[name] = value;
    else if (Array.isArray(value)) picked[name] = value.join(', ');
  }
  return picked;
}
