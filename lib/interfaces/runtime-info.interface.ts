import type { AgentCapabilities } from '@ag-ui/core';

/** One entry of `GET /info`'s `agents`. The CopilotKit client reads `description` and `capabilities`. */
export interface RuntimeAgentInfo {
  name: string;
  className: string;
  description: string;
  capabilities?: AgentCapabilities;
}

/** Which thread routes this server really serves; absent flags make the CopilotKit UI assume "yes". */
export interface ThreadEndpointsInfo {
  list: boolean;
  inspect: boolean;
  mutations: boolean;
  realtimeMetadata: boolean;
}

/** The body of `GET /info`, as the CopilotKit v2 client expects it. */
export interface RuntimeInfo {
  version: string;
  agents: Record<string, RuntimeAgentInfo>;
  audioFileTranscriptionEnabled: boolean;
  mode: 'sse';
  threadEndpoints: ThreadEndpointsInfo;
  suggestions: boolean;
  a2uiEnabled: boolean;
  openGenerativeUIEnabled: boolean;
  telemetryDisabled: boolean;
}
