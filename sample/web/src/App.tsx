import { useEffect, useMemo, useState } from 'react';
import { CopilotChat, CopilotKitProvider } from '@copilotkit/react-core/v2';
import { fetchMode, login, type Session } from './api';
import { ApprovalPrompt } from './ApprovalPrompt';
import { Board } from './Board';
import { HighlightTool } from './HighlightTool';

const SESSION_KEY = 'sample-session';

/** A thread per user that survives reloads: the chat reconnects to it and shows its history. */
function threadFor(userId: string): string {
  const key = `sample-thread-${userId}`;
  const existing = localStorage.getItem(key);
  if (existing) return existing;
  const created = crypto.randomUUID();
  localStorage.setItem(key, created);
  return created;
}

export function App() {
  const [session, setSession] = useState<Session | null>(() => JSON.parse(localStorage.getItem(SESSION_KEY) ?? 'null'));
  const [mode, setMode] = useState<string>('');
  const [highlighted, setHighlighted] = useState<number | null>(null);

  useEffect(() => {
    void fetchMode().then(setMode);
  }, []);

  const signIn = async (user: string) => {
    const next = await login(user);
    localStorage.setItem(SESSION_KEY, JSON.stringify(next));
    setSession(next);
  };
  const signOut = () => {
    localStorage.removeItem(SESSION_KEY);
    setSession(null);
  };

  // Stable identity: the provider re-applies headers when the object changes.
  const headers = useMemo(() => (session ? { Authorization: `Bearer ${session.token}` } : undefined), [session]);

  return (
    <div className="page">
      <header>
        <h1>Task board</h1>
        {mode === 'demo' && (
          <p className="demo" data-testid="demo-banner">
            Demo mode: no OPENAI_API_KEY or ANTHROPIC_API_KEY is set, so the assistant is a scripted local LLM. Try “add a task”, “highlight
            the first task”, “who am I?”, “delete task 3” or “tell me a long story”.
          </p>
        )}
        {session && (
          <p className="who">
            Signed in as <strong data-testid="user-name">{session.user.name}</strong> ({session.user.roles.join(', ')}){' '}
            <button onClick={signOut}>Sign out</button>
          </p>
        )}
      </header>
      {!session ? (
        <main className="login">
          <button data-testid="login-ann" onClick={() => void signIn('ann')}>
            Sign in as Ann (admin)
          </button>
          <button data-testid="login-bob" onClick={() => void signIn('bob')}>
            Sign in as Bob (member)
          </button>
        </main>
      ) : (
        <CopilotKitProvider runtimeUrl="/copilotkit" headers={headers} useSingleEndpoint={false} enableInspector={false}>
          <HighlightTool onHighlight={setHighlighted} />
          <ApprovalPrompt />
          <main className="workspace">
            <Board token={session.token} highlighted={highlighted} />
            <section className="chat">
              <CopilotChat
                key={session.user.id}
                agentId="default"
                threadId={threadFor(session.user.id)}
                labels={{ chatInputPlaceholder: 'Ask about the board…', welcomeMessageText: 'How can I help with the board?' }}
              />
            </section>
          </main>
        </CopilotKitProvider>
      )}
    </div>
  );
}
