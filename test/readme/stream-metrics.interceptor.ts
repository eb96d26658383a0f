import { Injectable, type CallHandler, type ExecutionContext, type MessageEvent, type NestInterceptor } from '@nestjs/common';
import type { BaseEvent } from '@ag-ui/core';
import { tap, type Observable } from 'rxjs';
import { isCopilotKitStream } from 'nestjs-copilotkit';

/** Counts the AG-UI events each agent streams, by type: what a metrics exporter would read. */
@Injectable()
export class StreamMetricsInterceptor implements NestInterceptor {
  readonly counts = new Map<string, number>();

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!isCopilotKitStream(context)) return next.handle();
    return next.handle().pipe(
      tap(({ data }: MessageEvent) => {
        const type = (data as BaseEvent | undefined)?.type ?? 'heartbeat';
        this.counts.set(type, (this.counts.get(type) ?? 0) + 1);
      }),
    );
  }
}
