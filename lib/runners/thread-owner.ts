import { ThreadNotFoundException } from '../errors/thread-not-found.exception.js';
import type { ThreadRecord } from '../runners/thread-store.js';

/** Who is asking, as the thread store records it: derived from the request by the app's guards. */
export type ThreadOwnerResolver = (request: unknown) => string | undefined | Promise<string | undefined>;

/** Default: the id the authentication guard put on `request.user` (`id`, else the JWT `sub`). */
export const defaultThreadOwner: ThreadOwnerResolver = (request) => {
  const user = (request as { user?: { id?: unknown; sub?: unknown } } | undefined)?.user;
  const id = user?.id ?? user?.sub;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
};

/**
 * A thread is visible to its owner only; one started without an identity (an app without
 * authentication) is open to every caller. Anything else is answered exactly like a thread that
 * does not exist.
 */
export function assertThreadAccess(
  thread: ThreadRecord | undefined,
  threadId: string,
  ownerId: string | undefined,
): ThreadRecord | undefined {
  if (thread && thread.ownerId !== undefined && thread.ownerId !== ownerId) throw new ThreadNotFoundException(threadId);
  return thread;
}
