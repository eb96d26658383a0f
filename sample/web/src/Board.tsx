import { useEffect, useState } from 'react';
import { fetchTasks, type Task } from './api';

/** The app's data. Actions the agent runs on the server change it; the board shows it within a second. */
export function Board({ token, highlighted }: { token: string; highlighted: number | null }) {
  const [tasks, setTasks] = useState<Task[]>([]);

  useEffect(() => {
    let active = true;
    const load = () => void fetchTasks(token).then((next) => active && setTasks(next));
    load();
    const timer = setInterval(load, 700);
    return () => {
      active = false;
      clearInterval(timer);
    };
  }, [token]);

  return (
    <section className="board">
      <h2>Tasks</h2>
      <ul data-testid="tasks">
        {tasks.map((task) => (
          <li
            key={task.id}
            data-testid={`task-${task.id}`}
            data-highlighted={String(task.id === highlighted)}
            className={task.id === highlighted ? 'highlighted' : undefined}
          >
            <span className={`priority ${task.priority}`}>{task.priority}</span>
            <span className="title">{task.title}</span>
            <span className="owner">
              #{task.id} · {task.createdBy}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
