import { createHash } from 'node:crypto';

/** What both take back: Anthropic only these characters, OpenAI's Chat Completions at most 40 of them. */
const PORTABLE = /^[A-Za-z0-9_-]{1,40}$/;

/**
 * A tool call id as OpenAI and Anthropic accept it in a conversation they are sent. A thread can
 * hold calls another provider named otherwise (Gemini's ids carry its thought signature, hundreds
 * of base64 characters) once the agent's model changed or another agent continues the thread, and
 * either API then refuses the whole request. Such an id goes as a stand-in made from it: the same
 * id always gives the same one, so a call and its result still pair up, in this request and later.
 */
export function portableToolCallId(id: string): string {
  return PORTABLE.test(id) ? id : `call_${createHash('sha256').update(id).digest('base64url').slice(0, 32)}`;
}
