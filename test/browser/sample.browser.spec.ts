import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

const root = fileURLToPath(new URL('../../', import.meta.url));
const artifacts = join(root, 'test/browser/artifacts');

/**
 * The sample as a person uses it, in a real browser: the built page (CopilotKit React UI) served
 * by the compiled Nest app in demo mode, driven by headless Chromium through playwright-core.
 * `npm test` builds both first (build:sample, build:web) and installs Debian's chromium if missing.
 */
describe('the sample in a browser (demo mode)', () => {
  let app: ChildProcess;
  let browser: Browser;
  let page: Page;
  let origin: string;
  const dir = mkdtempSync(join(tmpdir(), 'sample-browser-'));

  beforeAll(async () => {
    if (!existsSync('/usr/bin/chromium')) throw new Error('The browser test needs /usr/bin/chromium (apt-get install chromium).');
    if (!existsSync(join(root, 'sample/web/dist/index.html'))) throw new Error('Build the page first: npm run build:web');
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), SAMPLE_DB: join(dir, 'sample.sqlite') };
    delete env.OPENAI_API_KEY;
    delete env.ANTHROPIC_API_KEY;
    delete env.NODE_OPTIONS;
    app = spawn(process.execPath, ['.tmp/sample/main.js'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    await waitForHttp(`${origin}/api/config`);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await (await browser.newContext({ viewport: { width: 1280, height: 820 } })).newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    app?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  const chat = () => page.getByTestId('copilot-chat');
  const idle = () => page.waitForSelector('[data-testid="copilot-chat"][data-copilot-running="false"]', { timeout: 20_000 });
  const assistantSaying = (text: string | RegExp) => page.getByTestId('copilot-assistant-message').filter({ hasText: text });

  async function send(text: string): Promise<void> {
    await idle();
    await page.getByTestId('copilot-chat-textarea').fill(text);
    const sendButton = page.getByTestId('copilot-send-button');
    await sendButton.waitFor({ state: 'visible' });
    await page.waitForFunction(() => !document.querySelector<HTMLButtonElement>('[data-testid="copilot-send-button"]')?.disabled);
    await sendButton.click();
  }

  it('says it is in demo mode and asks who you are', async () => {
    await page.goto(origin);
    await page.getByTestId('demo-banner').waitFor();
    expect(await page.getByTestId('demo-banner').innerText()).toMatch(/^Demo mode: no OPENAI_API_KEY or ANTHROPIC_API_KEY is set/);
    await page.getByTestId('login-ann').click();
    await page.getByTestId('task-1').waitFor();
    expect(await page.getByTestId('user-name').innerText()).toBe('Ann');
  }, 30_000);

  it('streams the answer, and a backend action changes the board', async () => {
    await send('Please add a task for the launch');
    const answer = assistantSaying(/^Done: "Write the launch post" is on the board as task 4\.$/);
    // Streamed: the answer is visible while the run is still going, growing chunk by chunk.
    await page.waitForSelector('[data-testid="copilot-chat"][data-copilot-running="true"]');
    await answer.waitFor({ timeout: 20_000 });
    await page.getByTestId('task-4').filter({ hasText: 'Write the launch post' }).waitFor({ timeout: 5000 });
  }, 40_000);

  it('runs a frontend tool that changes the page', async () => {
    await send('highlight the first task');
    await page.waitForSelector('[data-testid="task-1"][data-highlighted="true"]', { timeout: 20_000 });
    await assistantSaying('I highlighted the first task on the board.').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('highlight-card').first().getAttribute('data-status')).toBe('complete');
  }, 40_000);

  it('asks before deleting, in the chat, and deletes once approved', async () => {
    await page.getByTestId('task-3').waitFor();
    await send('delete task 3');
    const card = page.getByTestId('approval-card');
    await card.waitFor({ timeout: 20_000 });
    expect(await card.innerText()).toContain('Delete task 3?');
    expect(await page.getByTestId('task-3').count()).toBe(1);
    await page.getByTestId('approve').click();
    await assistantSaying('Task 3 is deleted.').waitFor({ timeout: 20_000 });
    await page.getByTestId('task-3').waitFor({ state: 'detached', timeout: 10_000 });
  }, 40_000);

  it('stops a run', async () => {
    await send('tell me a long story');
    const story = assistantSaying(/^Once upon a time/);
    await story.waitFor({ timeout: 20_000 });
    await page.waitForFunction(() => {
      const messages = Array.from(document.querySelectorAll('[data-testid="copilot-assistant-message"]'));
      return ((messages.at(-1) as HTMLElement | undefined)?.innerText.length ?? 0) > 80;
    });
    await page.click('[data-testid="copilot-send-button"]:has(svg.lucide-square)');
    await idle();
    const stoppedAt = (await story.innerText()).length;
    await page.waitForTimeout(800);
    expect((await story.innerText()).length).toBe(stoppedAt);
    expect(await story.innerText()).not.toMatch(/pressed stop\.$/);
  }, 40_000);

  it('shows the thread history after a reload', async () => {
    await page.reload();
    await idle();
    const users = page.getByTestId('copilot-user-message');
    await users.nth(3).waitFor({ timeout: 20_000 });
    expect(await users.allInnerTexts()).toEqual([
      'Please add a task for the launch',
      'highlight the first task',
      'delete task 3',
      'tell me a long story',
    ]);
    await assistantSaying(/^Done: "Write the launch post"/).waitFor();
    await assistantSaying('I highlighted the first task on the board.').waitFor();
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'sample.png') });
    expect(existsSync(join(artifacts, 'sample.png'))).toBe(true);
    expect(await chat().getAttribute('data-copilot-running')).toBe('false');
  }, 40_000);
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitForHttp(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not come up`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
