import { HttpException, Logger } from '@nestjs/common';
import type { ActionCallResult, ActionCallStatus } from '../interfaces/copilot-run-context.interface.js';
import type { SchemaIssue } from './schema/action-schema.js';
import { approvalInterrupt } from '../approvals/approval-interrupt.js';
import type { ActionApprovalOptions } from '../interfaces/copilot-action-options.interface.js';
import {
  ACTION_HTTP_FAILURE,
  ACTION_INTERNAL_ERROR,
  ACTION_THREW,
  RESULT_NOT_SERIALISABLE,
  RESULT_UNREADABLE,
} from './actions.messages.js';

const logger = new Logger('ActionInvoker');

/** A result the model can read and act on: `{ "error": ..., "message": ... }` as the content. */
export function failure(status: Exclude<ActionCallStatus, 'success'>, message: string, issues?: SchemaIssue[]): ActionCallResult {
  return { status, content: JSON.stringify({ error: status, message, ...(issues && { issues }) }) };
}

/** Any JSON-serialisable value becomes the tool result's text; strings go through as they are. */
export function success(value: unknown, actionName: string): ActionCallResult {
  if (typeof value === 'string') return { status: 'success', content: value };
  try {
    return { status: 'success', content: JSON.stringify(value ?? null) ?? 'null' };
  } catch (error) {
    logger.error(RESULT_NOT_SERIALISABLE(actionName, error));
    return failure('failed', RESULT_UNREADABLE(actionName));
  }
}

/**
 * A thrown error as the model sees it. An HttpException's message is written for clients and is
 * passed on; anything else may carry internals (SQL, hosts, keys) and is replaced by a generic
 * message, with the details in the server log.
 */
export function thrown(error: unknown, actionName: string, location: string): ActionCallResult {
  if (error instanceof HttpException) {
    return failure('failed', ACTION_HTTP_FAILURE(actionName, error.getStatus(), clientMessage(error)));
  }
  logger.error(ACTION_THREW(location, error instanceof Error ? error.message : String(error)), (error as Error)?.stack);
  return failure('failed', ACTION_INTERNAL_ERROR(actionName));
}

/** What the exception tells a client: its response's `message` (a pipe's list of problems), else its own message. */
function clientMessage(error: HttpException): string {
  const response = error.getResponse() as { message?: unknown } | string;
  const detail = typeof response === 'object' && response !== null ? response.message : undefined;
  if (Array.isArray(detail)) return detail.join('; ');
  return typeof detail === 'string' ? detail : error.message;
}

/** The call waits for the user: no tool result yet, and the run ends with this interrupt. */
export function approvalRequired(toolCallId: string, name: string, args: unknown, options: ActionApprovalOptions): ActionCallResult {
  const interrupt = approvalInterrupt(toolCallId, name, args, options);
  return { status: 'approval_required', content: JSON.stringify({ pending: 'approval', interruptId: interrupt.id }), interrupt };
}
