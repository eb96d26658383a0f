import { SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import type { BaseEvent, TokenUsage } from '@ag-ui/core';
import { PACKAGE_VERSION } from '../platform/package-require.cjs';

/**
 * The library's tracer. `@opentelemetry/api` is a no-op until the application installs an SDK,
 * so spans cost nothing for apps that do not trace.
 */
export function tracer(): Tracer {
  return trace.getTracer('nestjs-copilotkit', PACKAGE_VERSION);
}

/** Input and output tokens summed over a run's model calls. */
export function totalTokens(usage: readonly TokenUsage[]): { input: number; output: number } {
  let input = 0;
  let output = 0;
  for (const entry of usage) {
    input += entry.inputTokens ?? 0;
    output += entry.outputTokens ?? 0;
  }
  return { input, output };
}

/** Token counts as OpenTelemetry's GenAI conventions name them. */
export function usageAttributes(usage: readonly TokenUsage[]): Record<string, number> {
  if (usage.length === 0) return {};
  const { input, output } = totalTokens(usage);
  return { 'gen_ai.usage.input_tokens': input, 'gen_ai.usage.output_tokens': output };
}

/** `finished`, `stopped`, or `error` with the RUN_ERROR's code: what logs and spans say about a run. */
export function runOutcome(terminal: BaseEvent | undefined, stopped: boolean): { outcome: string; code?: string } {
  if (stopped) return { outcome: 'stopped' };
  if (terminal?.type !== 'RUN_ERROR') return { outcome: 'finished' };
  return { outcome: 'error', code: (terminal as BaseEvent & { code?: string }).code ?? 'RUN_ERROR' };
}

/** Ends a run's span from its terminal event. */
export function endRunSpan(span: Span, terminal: BaseEvent | undefined, stopped: boolean): void {
  const event = terminal as (BaseEvent & { code?: string; message?: string; usage?: TokenUsage[] }) | undefined;
  span.setAttribute('copilotkit.outcome', runOutcome(terminal, stopped).outcome);
  if (event?.usage) span.setAttributes(usageAttributes(event.usage));
  if (event?.type === 'RUN_ERROR') span.setStatus({ code: SpanStatusCode.ERROR, message: event.code ?? 'RUN_ERROR' });
  span.end();
}

/**
 * Runs `work` inside a span that is active for everything it awaits (database calls, HTTP), and
 * ends the span with the attributes and status `describe` reads off the result.
 */
export async function inSpan<T>(
  name: string,
  attributes: Record<string, string | number>,
  work: () => Promise<T>,
  describe: (result: T) => { attributes?: Record<string, string | number>; error?: string },
): Promise<T> {
  return tracer().startActiveSpan(name, { attributes }, async (span) => {
    try {
      const result = await work();
      const { attributes: extra, error } = describe(result);
      if (extra) span.setAttributes(extra);
      if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
      return result;
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}
