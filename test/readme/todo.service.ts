import { Injectable, UseGuards } from '@nestjs/common';
import { IsIn, IsString, MinLength } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { ActionArgs, CopilotAction, CopilotContext, type ActionContext } from 'nestjs-copilotkit';
import { Roles, RolesGuard } from './roles.guard.js';

export class AddTodoDto {
  @JSONSchema({ description: 'What needs doing' })
  @IsString()
  @MinLength(3)
  title!: string;

  @IsIn(['low', 'high'])
  priority!: 'low' | 'high';
}

interface User {
  id: string;
  roles: string[];
}

@Injectable()
export class TodoService {
  private readonly todos: Array<{ title: string; priority: string; owner: string }> = [];

  get size(): number {
    return this.todos.length;
  }

  @CopilotAction({ description: "Add a todo to the current user's list" })
  add(@ActionArgs() todo: AddTodoDto, @CopilotContext() ctx: ActionContext<User>) {
    this.todos.push({ ...todo, owner: ctx.user!.id });
    ctx.emitState({ todos: this.todos.length });
    return { added: todo.title, total: this.todos.length };
  }

  @CopilotAction({ description: 'Delete every todo of every user' })
  @UseGuards(RolesGuard)
  @Roles(['admin'])
  clear() {
    const deleted = this.todos.splice(0).length;
    return { deleted };
  }
}
