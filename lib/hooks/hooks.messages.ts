export const HOOKS_UNRESOLVED = (error: unknown) => `Could not resolve CopilotKit hooks: ${String(error)}`;

export const HOOK_FAILED = (location: string, method: string, reason: string) => `${location}.${method} failed: ${reason}`;
