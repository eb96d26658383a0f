import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { CopilotKitModuleExtras, CopilotKitModuleOptions } from './config/copilotkit-options.interface.js';
import { DEFAULT_COPILOTKIT_PATH } from './config/copilotkit.constants.js';

/**
 * `forRoot` / `forRootAsync` come from Nest's builder. `path`, `guards`, `imports`, `isGlobal` and
 * `name` are "extras": synchronous even in `forRootAsync`, because they decide the routes, guards
 * and runtime scope before any provider exists (a forRootAsync that silently drops the controller
 * is a known trap).
 */
export const {
  ConfigurableModuleClass: CopilotKitConfigurableModule,
  MODULE_OPTIONS_TOKEN: COPILOTKIT_MODULE_OPTIONS,
  OPTIONS_TYPE: COPILOTKIT_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: COPILOTKIT_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<CopilotKitModuleOptions>({ moduleName: 'CopilotKit' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createCopilotKitOptions')
  .setExtras<CopilotKitModuleExtras>(
    { path: DEFAULT_COPILOTKIT_PATH, guards: [], imports: [], isGlobal: false, name: undefined },
    (definition) => definition,
  )
  .build();
