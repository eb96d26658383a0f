import type { CopilotKitModuleOptions } from './copilotkit-options.interface.js';

/**
 * What `CopilotKitModule.forRootAsync({ useClass })` (or `useExisting`) needs of the class: the
 * method Nest calls to get the options, with the class's own dependencies injected.
 */
export interface CopilotKitOptionsFactory {
  createCopilotKitOptions(): CopilotKitModuleOptions | Promise<CopilotKitModuleOptions>;
}
