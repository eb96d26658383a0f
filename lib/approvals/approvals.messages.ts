/** The question an approval asks when its action gives none. */
export const ALLOW_ACTION = (action: string) => `Allow '${action}' to run?`;

export const NOTHING_TO_RESUME = 'This thread has no pending interrupt to resume; it may have been answered already.';

export const UNKNOWN_INTERRUPTS = (ids: readonly string[]) => `Unknown interrupt id(s): ${ids.join(', ')}.`;

export const UNANSWERED_INTERRUPTS = (ids: readonly string[]) => `Every pending interrupt must be answered; missing: ${ids.join(', ')}.`;

export const INTERRUPT_EXPIRED = (id: string, expiresAt: string) => `Interrupt ${id} expired at ${expiresAt}.`;
