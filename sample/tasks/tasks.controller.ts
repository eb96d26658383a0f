import { Controller, Get, UseGuards } from '@nestjs/common';
import { BearerAuthGuard } from '../auth/bearer-auth.guard.js';
import { TasksService, type Task } from './tasks.service.js';

@Controller('api/tasks')
@UseGuards(BearerAuthGuard)
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Get()
  list(): Task[] {
    return this.tasks.list();
  }
}
