import type { InputContent } from '@ag-ui/core';

/** Where a media part's bytes are: inline base64 `data`, a `url`, or a provider's file id. */
export interface MediaSource {
  type: string;
  value: string;
  mimeType?: string;
}

/** The source of an image, audio, video or document part; undefined for text, or a part without one. */
export function mediaSource(part: InputContent): MediaSource | undefined {
  return (part as { source?: MediaSource }).source;
}

/** An inline source as a `data:` URL, any other as its value: the form OpenAI-style image parts take. */
export function mediaUrl(source: MediaSource): string {
  return source.type === 'data' ? `data:${source.mimeType};base64,${source.value}` : source.value;
}

/**
 * A tool call's arguments as the object the providers want back in history; arguments a model
 * left unparseable (or not an object) become `{}`, so the conversation stays sendable.
 */
export function argumentsObject(args: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(args || '{}');
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
