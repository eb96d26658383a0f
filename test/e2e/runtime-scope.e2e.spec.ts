import { ForbiddenException, Injectable, Module, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import {
  CopilotAction,
  CopilotAgent,
  CopilotHooks,
  CopilotKitConfigurationError,
  CopilotKitModule,
  CopilotRuntime,
  type CopilotRequestContext,
} from '../../lib/index.js';
import { ActionCallingAgent } from '../fixtures/action-calling.agent.js';
import { ScriptedAgent } from '../fixtures/test-agents.js';
import { postJson, postSse, runInput } from '../fixtures/sse-client.js';
import { startApp, type TestApp } from '../fixtures/test-app.js';

@Injectable()
class AdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>().headers['x-admin'] !== 'yes') {
      throw new ForbiddenException('Admins only.');
    }
    return true;
  }
}

@CopilotAgent({ name: 'admin-agent', runtime: 'admin' })
class AdminAgent extends ScriptedAgent {}

@Injectable()
class MaintenanceService {
  static purges = 0;

  @CopilotAction({ description: 'Delete every record', runtime: 'admin' })
  purge() {
    MaintenanceService.purges++;
    return { purged: true };
  }

  @CopilotAction({ description: 'Check the service is up', runtime: ['public', 'admin'] })
  ping() {
    return { pong: true };
  }
}

@CopilotHooks({ runtime: 'admin' })
class AdminAudit {
  static seen: string[] = [];

  beforeRequest({ route }: CopilotRequestContext) {
    AdminAudit.seen.push(route.method);
  }
}

const runtimes = () => [
  CopilotKitModule.forRoot({ path: 'public', agents: { caller: new ActionCallingAgent() } }),
  CopilotKitModule.forRoot({ path: 'admin', guards: [AdminGuard], agents: { caller: new ActionCallingAgent() } }),
];

/** Two runtimes, one guarded: what is tagged for the guarded one is not reachable through the other. */
describe('several runtimes in one app', () => {
  let server: TestApp;
  const admin = { headers: { 'x-admin': 'yes' } };
  const url = (runtime: string, path: string) => `${server.origin}/${runtime}${path}`;

  beforeAll(async () => {
    server = await startApp(runtimes(), { providers: [AdminAgent, MaintenanceService, AdminAudit] });
  });
  afterAll(() => server.close());

  it('serves a tagged agent only on its runtime, on every route', async () => {
    const input = runInput();
    expect(Object.keys((await (await fetch(url('public', '/info'))).json()).agents)).toEqual(['caller']);
    expect((await postJson(url('public', '/agent/admin-agent/run'), input)).status).toBe(404);
    expect((await postJson(url('public', '/agent/admin-agent/connect'), { threadId: input.threadId })).status).toBe(404);
    expect((await postJson(url('public', '/agent/admin-agent/stop/' + input.threadId))).status).toBe(404);
    expect((await postJson(url('public', ''), { method: 'agent/run', params: { agentId: 'admin-agent' }, body: input })).status).toBe(404);

    expect((await fetch(url('admin', '/info'))).status).toBe(403);
    expect(Object.keys((await (await fetch(url('admin', '/info'), admin)).json()).agents)).toEqual(['caller', 'admin-agent']);
    const run = await postSse(url('admin', '/agent/admin-agent/run'), input, admin);
    expect(run.events.at(-1)).toMatchObject({ type: 'RUN_FINISHED', runId: input.runId });
  });

  it('offers and runs a tagged action only on its runtime; one tagged for both on both', async () => {
    const script = JSON.stringify({ calls: [{ name: 'purge' }, { name: 'ping' }] });
    const offered = (events: Array<Record<string, any>>) =>
      events.find((event) => event.type === 'CUSTOM' && event.name === 'offered')?.value;
    const results = (events: Array<Record<string, any>>) =>
      events.filter((event) => event.type === 'TOOL_CALL_RESULT').map((event) => event.content);

    const publicRun = await postSse(url('public', '/agent/caller/run'), runInput({ text: script }));
    expect(offered(publicRun.events)).toEqual(['ping']);
    expect(results(publicRun.events)[1]).toBe('{"pong":true}');
    expect(MaintenanceService.purges).toBe(0);

    const adminRun = await postSse(url('admin', '/agent/caller/run'), runInput({ text: script }), admin);
    expect(offered(adminRun.events)).toEqual(['purge', 'ping']);
    expect(results(adminRun.events)).toEqual(['{"purged":true}', '{"pong":true}']);
    expect(MaintenanceService.purges).toBe(1);
  });

  it('runs tagged hooks only for their runtime’s requests', async () => {
    AdminAudit.seen = [];
    await fetch(url('public', '/info'));
    await postSse(url('public', '/agent/caller/run'), runInput({ text: '{}' }));
    expect(AdminAudit.seen).toEqual([]);
    await fetch(url('admin', '/info'), admin);
    expect(AdminAudit.seen).toEqual(['info']);
  });
});

describe('runtime scope at boot', () => {
  /** What `app.init()` (as `listen()` does) fails with, if it fails. */
  async function boot(providers: unknown[], imports = runtimes()): Promise<unknown> {
    @Module({ imports, providers: providers as never[] })
    class AppModule {}
    const app = await NestFactory.create(AppModule, { logger: false, abortOnError: false });
    try {
      await app.init();
      return undefined;
    } catch (error) {
      return error;
    } finally {
      await app.close();
    }
  }

  it('stops an app with several runtimes and an agent that names none', async () => {
    @CopilotAgent({ name: 'untagged' })
    class UntaggedAgent extends ScriptedAgent {}
    const error = await boot([UntaggedAgent]);
    expect(error).toBeInstanceOf(CopilotKitConfigurationError);
    expect((error as Error).message).toBe(
      "CopilotKitModule: @CopilotAgent UntaggedAgent: the app has several CopilotKit runtimes ('public', 'admin'), so it must say which serve it, e.g. { runtime: 'public' } or { runtime: ['public', 'admin'] }.",
    );
  });

  it('stops an app whose action or hooks name a runtime it does not have', async () => {
    @Injectable()
    class Typo {
      @CopilotAction({ description: 'x', runtime: 'admn' })
      x() {}
    }
    expect(((await boot([Typo])) as Error).message).toMatch(
      /@CopilotAction on Typo\.x: runtime 'admn' is not one of the app's CopilotKit runtimes \('public', 'admin'\)/,
    );

    @CopilotHooks({ runtime: [] })
    class Nowhere {
      beforeRequest() {}
    }
    expect(((await boot([Nowhere])) as Error).message).toMatch(/@CopilotHooks Nowhere: runtime \[\] is not one of/);
  });

  it('stops an app with two runtimes of one name', async () => {
    const error = await boot(
      [],
      [CopilotKitModule.forRoot({ path: 'a', name: 'main' }), CopilotKitModule.forRoot({ path: 'b', name: 'main' })],
    );
    expect((error as Error).message).toMatch(/Two CopilotKitModule.forRoot are named 'main'/);
  });

  it('needs no tags with one runtime, and names it after its path or its name', async () => {
    @CopilotAgent({ name: 'helper' })
    class Helper extends ScriptedAgent {}
    @CopilotAgent({ name: 'named', runtime: 'assistant' })
    class Named extends ScriptedAgent {}
    const served = async (root: ReturnType<typeof CopilotKitModule.forRoot>, providers: unknown[]) => {
      const moduleRef = await Test.createTestingModule({ imports: [root], providers: providers as never[] }).compile();
      const app = await moduleRef.createNestApplication().init();
      const agents = Object.keys((await app.get(CopilotRuntime).info()).agents);
      await app.close();
      return agents;
    };
    expect(await served(CopilotKitModule.forRoot({}), [Helper])).toEqual(['helper']);
    expect(await served(CopilotKitModule.forRoot({ path: 'ai', name: 'assistant' }), [Helper, Named])).toEqual(['helper', 'named']);
    expect(await boot([Named], [CopilotKitModule.forRoot({ path: 'assistant' })])).toBeUndefined();
  });
});
