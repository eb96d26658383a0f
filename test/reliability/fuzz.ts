import { randomUUID } from 'node:crypto';

/** A small seeded PRNG (mulberry32), so a failing fuzz run can be replayed exactly. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Blob;
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];

/** `{thread}` in a path is replaced by a thread id: a real one (of the owner or not) or a hostile one. */
const ROUTES: ReadonlyArray<[string, string]> = [
  ['POST', '/agent/default/run'],
  ['POST', '/transcribe'],
  ['POST', '/agent/default/connect'],
  ['POST', '/agent/default/stop/{thread}'],
  ['POST', '/agent/nobody/run'],
  ['POST', '/agent/%E0%A4%A/run'],
  ['POST', ''],
  ['GET', '/info'],
  ['POST', '/info'],
  ['GET', '/agent/default/run'],
  ['GET', '/threads'],
  ['GET', '/threads?limit=abc&cursor=%%%'],
  ['GET', '/threads?agentId=default&agentId=other&includeArchived=true'],
  ['GET', '/threads/{thread}/messages'],
  ['GET', '/threads/{thread}/events'],
  ['GET', '/threads/{thread}/state'],
  ['PATCH', '/threads/{thread}'],
  ['POST', '/threads/{thread}/archive'],
  ['DELETE', '/threads/{thread}'],
];

const HOSTILE_THREAD_IDS = ['some-thread', 'a%00b', 'x'.repeat(300), '%E0%A4%A', '..%2F..', '%20', 'ok%0Aid'];
const USERS = ['owner', 'intruder', undefined];

/** Any JSON value, from plain to hostile: wrong types, huge strings, deep nesting, giant arrays. */
function value(random: Random, depth = 0): unknown {
  const r = random();
  if (depth > 4 || r < 0.25) return pick(random, [null, true, false, 0, -1, 1e308, -0, 3.14, '', 'x', '\u0000', '💥', 'a'.repeat(1000)]);
  if (r < 0.3) return 'z'.repeat(Math.floor(random() * 200_000));
  if (r < 0.33) return Array.from({ length: 50_000 }, (_, i) => i);
  if (r < 0.36) return nested(Math.floor(random() * 300) + 50);
  if (r < 0.65) return Array.from({ length: Math.floor(random() * 5) }, () => value(random, depth + 1));
  return Object.fromEntries(
    Array.from({ length: Math.floor(random() * 5) }, () => [
      pick(random, [
        'threadId',
        'runId',
        'messages',
        'tools',
        'context',
        'state',
        'method',
        'params',
        'body',
        'agentId',
        '__proto__',
        'constructor',
        'x',
      ]),
      value(random, depth + 1),
    ]),
  );
}

function nested(depth: number): unknown {
  let inner: unknown = {};
  for (let i = 0; i < depth; i++) inner = { a: [inner] };
  return inner;
}

/** A valid RunAgentInput with one field broken: what an almost-right client sends. */
function mutatedInput(random: Random): Record<string, unknown> {
  const input: Record<string, unknown> = {
    threadId: randomUUID(),
    runId: randomUUID(),
    state: {},
    messages: [{ id: randomUUID(), role: 'user', content: 'fuzz' }],
    tools: [{ name: 'tool', description: 'd', parameters: { type: 'object', properties: {} } }],
    context: [],
    forwardedProps: {},
  };
  const key = pick(random, [...Object.keys(input), 'messages.0.role', 'messages.0.content', 'tools.0.name', 'extra']);
  if (key.includes('.')) {
    const [field, index, inner] = key.split('.');
    (input[field] as Array<Record<string, unknown>>)[Number(index)][inner] = value(random, 3);
  } else {
    input[key] = value(random, 3);
  }
  return input;
}

function body(random: Random, path: string): string | Blob | undefined {
  const r = random();
  if (r < 0.05) return undefined;
  if (r < 0.1) return '{"threadId": "unterminated';
  if (r < 0.12) return new Blob([Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0x22, 0x7d])]);
  // Nested far deeper than a JSON encoder recurses, written as text.
  if (r < 0.14) return `{"threadId":"t","runId":"r","messages":[],"state":${'{"a":['.repeat(50_000)}1${']}'.repeat(50_000)}}`;
  if (r < 0.16) return JSON.stringify({ messages: 'x'.repeat(11 * 2 ** 20) });
  if (r < 0.5) return JSON.stringify(mutatedInput(random));
  if (r < 0.6 && path.startsWith('/threads/')) {
    return JSON.stringify({ name: value(random, 3), archived: value(random, 3), ...(random() < 0.3 && { extra: value(random, 2) }) });
  }
  if (r < 0.7 && path === '') {
    return JSON.stringify({
      method: pick(random, ['agent/run', 'agent/connect', 'agent/stop', 'info', 'transcribe', 42, null]),
      params: value(random, 3),
      body: random() < 0.5 ? mutatedInput(random) : value(random, 3),
    });
  }
  return JSON.stringify(value(random));
}

/** A hostile request; `threads` are ids of real threads, owned by the user `owner`. */
export function fuzzRequest(random: Random, threads: readonly string[] = []): FuzzRequest {
  const [method, template] = pick(random, ROUTES);
  const thread = threads.length > 0 && random() < 0.5 ? pick(random, threads) : pick(random, HOSTILE_THREAD_IDS);
  const path = template.replace('{thread}', thread);
  const user = pick(random, USERS);
  const type = pick(random, [
    'application/json',
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=fuzz',
    '',
  ]);
  return {
    method,
    path,
    headers: {
      ...(type && { 'content-type': type }),
      ...(user && { 'x-user': user }),
      ...(random() < 0.1 && { 'last-event-id': pick(random, ['x', 'r:-1', 'r:c9999999', ':', 'x:1e99', '%00:1']) }),
    },
    body: method === 'GET' ? undefined : body(random, path),
  };
}
