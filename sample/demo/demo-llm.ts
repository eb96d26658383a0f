import { LLMock } from '@copilotkit/aimock';

type Request = { messages: Array<{ role: string; content?: unknown }> };

/** The content of the last tool result in a request: the scripted answer quotes it. */
function lastToolResult(request: Request): Record<string, unknown> {
  const tool = [...request.messages].reverse().find((message) => message.role === 'tool');
  try {
    return JSON.parse(String(tool?.content ?? '{}'));
  } catch {
    return {};
  }
}

/**
 * Demo mode: a local OpenAI-compatible server (aimock) with scripted answers, so the sample runs
 * with no API key and still shows every part of the loop: streamed text, a backend action, a
 * frontend tool, a role-guarded action and a long answer to stop.
 */
export async function startDemoLlm(): Promise<LLMock> {
  const llm = new LLMock({ port: 0, chunkSize: 6, latency: 20 });
  const call = (pattern: RegExp, name: string, args: Record<string, unknown>, answer: (request: Request) => string) => {
    llm.on({ userMessage: pattern, hasToolResult: false }, { toolCalls: [{ name, arguments: args }] });
    llm.on({ userMessage: pattern, hasToolResult: true }, (request) => ({ content: answer(request as Request) }));
  };
  call(/\b(add|create)\b/i, 'createTask', { title: 'Write the launch post', priority: 'high' }, (request) => {
    const task = lastToolResult(request);
    return task.title ? `Done: "${task.title}" is on the board as task ${task.id}.` : 'I could not add the task.';
  });
  call(/highlight/i, 'highlightTask', { id: 1 }, () => 'I highlighted the first task on the board.');
  call(/who am i/i, 'whoAmI', {}, (request) => {
    const me = lastToolResult(request) as { name?: string; roles?: string[] };
    return me.name ? `You are ${me.name} (${me.roles?.join(', ')}).` : 'I could not tell who you are.';
  });
  call(/delete/i, 'deleteTask', { id: 3 }, (request) => {
    const result = lastToolResult(request) as { deleted?: number; message?: string };
    return result.deleted ? `Task ${result.deleted} is deleted.` : `I could not delete it: ${result.message ?? 'not allowed'}`;
  });
  llm.onMessage(/story/i, {
    content: `Once upon a time, ${'a Nest app streamed a very long answer, token after token, '.repeat(30)}until someone pressed stop.`,
  });
  llm.on(
    {},
    {
      content:
        'Demo mode: no LLM is connected, so this answer is scripted. Try "add a task", "highlight the first task", "who am I?", "delete task 3" or "tell me a long story".',
    },
  );
  await llm.start();
  return llm;
}
