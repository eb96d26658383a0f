import type { Type } from '@nestjs/common';

/** A JSON Schema object, as sent to the LLM. */
export type JsonSchema = Record<string, unknown>;

/** One parameter in the CopilotKit v1 list form, so actions from the CopilotKit docs port over. */
export interface CopilotKitParameter {
  name: string;
  type?: 'string' | 'number' | 'boolean' | 'object' | 'string[]' | 'number[]' | 'boolean[]' | 'object[]';
  description?: string;
  /** Default true, as in CopilotKit. */
  required?: boolean;
  enum?: Array<string | number>;
  /** Fields of an `object` or `object[]` parameter. */
  attributes?: CopilotKitParameter[];
}

/** Anything that implements Standard Schema (zod, valibot, arktype, ...). */
export interface StandardSchemaLike {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => unknown;
  };
}

/**
 * How an action's arguments are described. Every form ends up as the same JSON Schema for the LLM
 * and the same validation before the method runs.
 */
export type ActionParameters = Type<object> | JsonSchema | StandardSchemaLike | CopilotKitParameter[];

export interface CopilotActionOptions {
  /** The tool name the LLM sees. Default: the method name. */
  name?: string;
  /** What the action does and when to use it: the LLM decides from this. Required. */
  description: string;
  /**
   * The arguments. Default: the class type of the `@ActionArgs()` parameter (a class-validator
   * DTO); an action whose method takes no arguments needs none.
   */
  parameters?: ActionParameters;
  /** Agent ids that may use the action. Default: every agent that calls actions. */
  agents?: string[];
  /** The runtimes (forRoot `name`, else `path`) that offer it; required when the app has several. */
  runtime?: string | string[];
  /**
   * Ask the user before running: the run pauses with an AG-UI interrupt, and the action runs only
   * when the thread's owner approves it on the next run. `true` for the defaults.
   */
  approval?: boolean | ActionApprovalOptions;
}

export interface ActionApprovalOptions {
  /** What the user is asked; a function gets the validated arguments. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the action's own argument type, whatever schema declared it
  message?: string | ((args: any) => string);
  /** How long the question stays open; an approval after that is refused. Default: no limit. */
  expiresInMs?: number;
  /** Let the user change the arguments when approving (`editedArgs`, validated again). Default false. */
  allowEdits?: boolean;
}
