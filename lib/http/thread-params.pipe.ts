import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { InvalidRequestException } from '../errors/invalid-request.exception.js';
import { idProblem, MAX_ID_LENGTH } from '../runners/thread-id.js';
import { CURSOR_TOO_LONG, INVALID_ID_PARAM, PARAM_NOT_SINGLE } from './http.messages.js';

/** What `GET /threads` reads of its query, each a single string. */
export interface ThreadListQuery {
  agentId?: string;
  limit?: string;
  cursor?: string;
  includeArchived?: string;
}

/**
 * A cursor is a thread's update time and id as base64url JSON: an id of `MAX_ID_LENGTH` code units
 * is at most 6 bytes each once JSON-escaped, so a real cursor stays near 2100 characters at most.
 */
const MAX_CURSOR_LENGTH = 16 * MAX_ID_LENGTH;

/**
 * A thread id from the route (`:threadId`), refused with a 400 unless every store can hold it (see
 * `idProblem`). Checked here, at the edge, so the store is never asked about an id it would choke
 * on (PostgreSQL answers a NUL with an error, and a long id with an index error).
 */
@Injectable()
export class ThreadIdPipe implements PipeTransform<unknown, string> {
  transform(value: unknown, metadata: ArgumentMetadata): string {
    return checkedId(value, metadata.data ?? 'threadId');
  }
}

/**
 * The thread list's query. A repeated key (`?agentId=a&agentId=b`) arrives as an array, which
 * SQLite would bind as several parameters and PostgreSQL as text it never matches: each key must be
 * given at most once, as a string.
 */
@Injectable()
export class ThreadListQueryPipe implements PipeTransform<unknown, ThreadListQuery> {
  transform(value: unknown): ThreadListQuery {
    const query = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    const agentId = single(query, 'agentId');
    const cursor = single(query, 'cursor');
    if (cursor !== undefined && cursor.length > MAX_CURSOR_LENGTH) throw new InvalidRequestException(CURSOR_TOO_LONG(MAX_CURSOR_LENGTH));
    return {
      agentId: agentId === undefined || agentId === '' ? agentId : checkedId(agentId, 'agentId'),
      limit: single(query, 'limit'),
      cursor,
      includeArchived: single(query, 'includeArchived'),
    };
  }
}

function checkedId(value: unknown, name: string): string {
  if (typeof value !== 'string') throw new InvalidRequestException(PARAM_NOT_SINGLE(name));
  const problem = idProblem(value);
  if (problem) throw new InvalidRequestException(INVALID_ID_PARAM(name, problem));
  return value;
}

function single(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined || typeof value === 'string') return value;
  throw new InvalidRequestException(PARAM_NOT_SINGLE(name));
}
