import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { map, type Observable } from 'rxjs';
import { isCopilotKitStream } from 'nestjs-copilotkit';

/** The app's `{ data }` envelope for its own routes; CopilotKit streams pass through as they are. */
@Injectable()
export class EnvelopeInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (isCopilotKitStream(context)) return next.handle();
    return next.handle().pipe(map((data: unknown) => ({ data })));
  }
}
