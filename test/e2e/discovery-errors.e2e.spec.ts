import { Injectable, Module, Scope, type Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { BaseEvent, RunAgentInput } from '@ag-ui/core';
import { Observable, of } from 'rxjs';
import {
  ActionArgs,
  CopilotAction,
  CopilotAgent,
  CopilotKitConfigurationError,
  CopilotKitModule,
  CopilotRuntime,
  InvalidCopilotAgentError,
} from '../../lib/index.js';
import { ScriptedAgent } from '../fixtures/test-agents.js';

/** Boots an app with the given providers and returns how `init()` failed. */
async function bootFailure(providers: Array<Type<unknown>>, agents = {}): Promise<Error> {
  @Module({ providers })
  class FeatureModule {}
  const moduleRef = await Test.createTestingModule({ imports: [FeatureModule, CopilotKitModule.forRoot({ agents })] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  try {
    await app.init();
  } catch (error) {
    return error as Error;
  } finally {
    await app.close().catch(() => undefined);
  }
  throw new Error('expected the app to fail at boot');
}

interface Untyped {
  id: number;
}

describe('boot-time checks of decorated code', () => {
  it('refuses an action without a description', async () => {
    @Injectable()
    class NoDescription {
      @CopilotAction({} as never)
      doIt() {}
    }
    const error = await bootFailure([NoDescription]);
    expect(error).toBeInstanceOf(CopilotKitConfigurationError);
    expect(error.message).toMatch(/NoDescription\.doIt has no description/);
  });

  it('refuses two actions with one name, naming both places', async () => {
    @Injectable()
    class Billing {
      @CopilotAction({ description: 'x', name: 'sync' })
      syncInvoices() {}
    }
    @Injectable()
    class Crm {
      @CopilotAction({ description: 'y' })
      sync() {}
    }
    const error = await bootFailure([Billing, Crm]);
    expect(error.message).toMatch(/two actions are named 'sync': Billing\.syncInvoices and Crm\.sync/);
  });

  it('refuses arguments it cannot describe', async () => {
    @Injectable()
    class Vague {
      @CopilotAction({ description: 'x' })
      update(@ActionArgs() args: Untyped) {
        return args;
      }
    }
    expect((await bootFailure([Vague])).message).toMatch(/Vague\.update: cannot tell what its arguments are/);
  });

  it('refuses a parameters schema that does not describe an object', async () => {
    @Injectable()
    class Scalar {
      @CopilotAction({ description: 'x', parameters: { type: 'string' } })
      say() {}
    }
    expect((await bootFailure([Scalar])).message).toMatch(/Scalar\.say: the arguments must be described by an object schema/);
  });

  it('refuses a tool name providers would reject', async () => {
    @Injectable()
    class Spaced {
      @CopilotAction({ description: 'x', name: 'do it' })
      doIt() {}
    }
    expect((await bootFailure([Spaced])).message).toMatch(/name 'do it' must be 1-64 letters/);
  });

  it('refuses a @CopilotAgent that cannot run, with a typed error', async () => {
    @CopilotAgent({ name: 'lazy' })
    class NotAnAgent {}
    const error = await bootFailure([NotAnAgent]);
    expect(error).toBeInstanceOf(InvalidCopilotAgentError);
    expect(error.message).toMatch(/@CopilotAgent NotAnAgent has no run\(input, context\?\) method/);
  });

  it('refuses an agent name used twice', async () => {
    @CopilotAgent({ name: 'helper' })
    class Helper {
      run(): Observable<BaseEvent> {
        return of();
      }
    }
    const error = await bootFailure([Helper], { helper: new ScriptedAgent() });
    expect(error.message).toMatch(/two agents are named 'helper': @CopilotAgent Helper and the agents of forRoot/);
  });
});

describe('request-scoped @CopilotAgent', () => {
  it('is built per request, with a fresh instance for each', async () => {
    let instances = 0;
    @CopilotAgent({ name: 'scoped', description: 'per request', scope: Scope.REQUEST })
    class ScopedAgent {
      readonly id = ++instances;
      run(input: RunAgentInput): Observable<BaseEvent> {
        return of(
          { type: 'RUN_STARTED', threadId: input.threadId, runId: input.runId } as BaseEvent,
          { type: 'CUSTOM', name: 'instance', value: this.id } as BaseEvent,
          { type: 'RUN_FINISHED', threadId: input.threadId, runId: input.runId } as BaseEvent,
        );
      }
    }
    @Module({ providers: [ScopedAgent] })
    class AgentsModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AgentsModule, CopilotKitModule.forRoot()] }).compile();
    const runtime = moduleRef.get(CopilotRuntime);
    const seen: unknown[] = [];
    for (const request of [{ headers: {} }, { headers: {} }]) {
      const events = await runtime.run('scoped', { threadId: `t${seen.length}`, runId: 'r', messages: [] }, { request });
      events.subscribe((event) => event.type === 'CUSTOM' && seen.push((event as BaseEvent & { value: unknown }).value));
    }
    expect(seen).toEqual([1, 2]);
    expect((await runtime.info()).agents.scoped.description).toBe('per request');
    await moduleRef.close();
  });
});
