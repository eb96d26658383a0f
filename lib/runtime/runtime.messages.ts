export const BODY_NOT_AN_OBJECT = 'The request body must be a JSON object (a RunAgentInput).';

export const BODY_TOO_DEEP = (maxDepth: number) => `The request body is nested more than ${maxDepth} levels deep.`;

export const INVALID_THREAD_LIMIT = "'limit' must be 1 to 200.";

export const INVALID_THREAD_NAME = "'name' must be a string of at most 200 characters.";

export const INVALID_THREAD_ARCHIVED = "'archived' must be a boolean.";
