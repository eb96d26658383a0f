import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunAgentInput } from '@ag-ui/core';
import { lastValueFrom } from 'rxjs';
import { SqliteThreadStore, StoreAgentRunner } from '../../lib/index.js';
import { RunPreparation } from '../../lib/runtime/run-preparation.js';
import { runInput } from '../fixtures/sse-client.js';
import { AgentProbe, ScriptedAgent } from '../fixtures/test-agents.js';

/** A real SQLite store that counts the reads a run could make apart from its begin. */
class CountingStore extends SqliteThreadStore {
  separateReads = 0;
  override getThreadWithRuns(threadId: string) {
    this.separateReads++;
    return super.getThreadWithRuns(threadId);
  }
}

describe('StoreAgentRunner over a store that reads as it begins', () => {
  const dir = mkdtempSync(join(tmpdir(), 'copilotkit-store-runner-'));
  const store = new CountingStore({ path: join(dir, 'threads.sqlite') });
  const runner = new StoreAgentRunner(store);
  const preparation = new RunPreparation();
  const probe = new AgentProbe();
  const agent = () => new ScriptedAgent(probe, { deltas: () => ['stored answer'] });

  beforeAll(() => runner.start());
  afterAll(async () => {
    await runner.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = async (input: RunAgentInput) =>
    lastValueFrom(await preparation.start(runner, { history: 'authoritative', agentId: 'a', agent: agent(), input }));

  it('gives each run the history read with its lock, without a second read', async () => {
    const first = runInput({ text: 'first question' });
    await run(first);
    const second = runInput({ threadId: first.threadId, text: 'second question' });
    await run(second);

    expect(store.separateReads).toBe(0);
    // Server-authoritative history: the second run sees the first turn from the store.
    const seen = probe.inputs[probe.inputs.length - 1].messages.map((message) => message.content);
    expect(seen).toEqual(['first question', 'stored answer', 'second question']);
  });

  it('forgets the read of a run the runtime refused after the lock, so the next run reads afresh', async () => {
    const first = runInput({ text: 'one' });
    await run(first);
    // A resume that answers nothing pending is refused once the thread is locked.
    const forged = { ...runInput({ threadId: first.threadId }), messages: [], resume: [{ interruptId: 'nothing', status: 'resolved' }] };
    await expect(run(forged as RunAgentInput)).rejects.toMatchObject({ response: { code: 'NOTHING_PENDING' } });
    await runner.updateThread(first.threadId, { name: 'Renamed' });
    expect((await runner.threadWithHistory(first.threadId)).thread).toMatchObject({ name: 'Renamed' });
    const next = runInput({ threadId: first.threadId, text: 'two' });
    await run(next);

    const seen = probe.inputs[probe.inputs.length - 1].messages.map((message) => message.content);
    expect(seen).toEqual(['one', 'stored answer', 'two']);
  });
});
