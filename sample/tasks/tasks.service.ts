import { Injectable, NotFoundException, UseGuards } from '@nestjs/common';
import { ActionArgs, CopilotAction, CopilotContext, type ActionContext } from 'nestjs-copilotkit';
import { Roles, RolesGuard } from '../auth/roles.guard.js';
import type { User } from '../auth/demo-users.js';
import { CreateTaskDto } from './create-task.dto.js';

export interface Task {
  id: number;
  title: string;
  priority: 'low' | 'medium' | 'high';
  createdBy: string;
}

/** The board: ordinary Nest code whose methods the agent can call. */
@Injectable()
export class TasksService {
  private readonly tasks: Task[] = [
    { id: 1, title: 'Draft the release notes', priority: 'medium', createdBy: 'ann' },
    { id: 2, title: 'Review the pricing page', priority: 'low', createdBy: 'bob' },
    { id: 3, title: 'Fix the login redirect', priority: 'high', createdBy: 'ann' },
  ];

  list(): Task[] {
    return [...this.tasks];
  }

  @CopilotAction({ description: 'List the tasks on the board' })
  listTasks(): Task[] {
    return this.list();
  }

  @CopilotAction({ description: 'Add a task to the board, in the name of the signed-in user' })
  createTask(@ActionArgs() task: CreateTaskDto, @CopilotContext() ctx: ActionContext<User>): Task {
    const created: Task = { id: Math.max(0, ...this.tasks.map((t) => t.id)) + 1, ...task, createdBy: ctx.user!.id };
    this.tasks.push(created);
    return created;
  }

  @CopilotAction({
    description: 'Delete a task from the board (admins only)',
    parameters: [{ name: 'id', type: 'number', description: 'The task id' }],
    // The run pauses until the user approves in the chat.
    approval: { message: ({ id }: { id: number }) => `Delete task ${id}?`, expiresInMs: 10 * 60_000 },
  })
  @UseGuards(RolesGuard)
  @Roles(['admin'])
  deleteTask({ id }: { id: number }): { deleted: number } {
    const at = this.tasks.findIndex((task) => task.id === id);
    if (at < 0) throw new NotFoundException(`There is no task ${id}.`);
    this.tasks.splice(at, 1);
    return { deleted: id };
  }

  @CopilotAction({ description: 'Who is signed in' })
  whoAmI(@CopilotContext('user') user: User): { name: string; roles: string[] } {
    return { name: user.name, roles: user.roles };
  }
}
