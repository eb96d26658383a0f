/** The sample's own REST API (login, config, tasks), next to the CopilotKit runtime. */
export interface User {
  id: string;
  name: string;
  roles: string[];
}

export interface Task {
  id: number;
  title: string;
  priority: 'low' | 'medium' | 'high';
  createdBy: string;
}

export interface Session {
  token: string;
  user: User;
}

export async function login(user: string): Promise<Session> {
  const response = await fetch('/api/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user }),
  });
  if (!response.ok) throw new Error(`Login failed (${response.status})`);
  return response.json();
}

export async function fetchMode(): Promise<string> {
  const response = await fetch('/api/config');
  return ((await response.json()) as { mode: string }).mode;
}

export async function fetchTasks(token: string): Promise<Task[]> {
  const response = await fetch('/api/tasks', { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`Could not load tasks (${response.status})`);
  return response.json();
}
