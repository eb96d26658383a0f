/** RUN_ERROR from an agent that gave no message of its own. */
export const AGENT_ERROR = 'Agent error';

export const STREAM_ENDED_UNFINISHED = 'The agent ended its stream without finishing the run.';

export const AGENT_FAILED = 'The agent failed.';

export const TOOL_CALL_STOPPED = 'The run was stopped before this tool call completed.';

export const TOOL_CALL_RUN_FAILED = 'The run failed before this tool call completed.';

export const RUN_STORED_WITHOUT_END = 'The rest of this run could not be stored.';
