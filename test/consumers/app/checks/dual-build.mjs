// Loads both builds of the package into one process, in the order given (`esm-first` or
// `cjs-first`), as an app does whose own code imports it while a CommonJS dependency requires it.
// Prints what must hold for classes that cross the builds, as JSON.
import 'reflect-metadata';
import { createRequire } from 'node:module';
import { Inject, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

const require = createRequire(import.meta.url);
const order = process.argv[2];
const cjs = order === 'cjs-first' ? require('nestjs-copilotkit') : undefined;
const esm = await import('nestjs-copilotkit');
const other = cjs ?? require('nestjs-copilotkit');
// The module comes from the build loaded first, the injected classes from the other.
const [first, second] = order === 'cjs-first' ? [other, esm] : [esm, other];

class Transcriber extends second.TranscriptionService {
  async transcribe() {
    return 'heard';
  }
}

class UsesOtherBuild {
  constructor(runtime, threads) {
    this.runtime = runtime;
    this.threads = threads;
  }
}
Inject(second.CopilotRuntime)(UsesOtherBuild, undefined, 0);
Inject(second.CopilotThreads)(UsesOtherBuild, undefined, 1);
Injectable()(UsesOtherBuild);

class TranscriberModule {}
Module({
  providers: [{ provide: second.TranscriptionService, useClass: Transcriber }],
  exports: [second.TranscriptionService],
})(TranscriberModule);

class AppModule {}
Module({
  imports: [first.CopilotKitModule.forRoot({ imports: [TranscriberModule] })],
  providers: [UsesOtherBuild],
})(AppModule);

const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
const runtime = app.get(first.CopilotRuntime);
console.log(
  JSON.stringify({
    twoBuilds: first.CopilotRuntime !== second.CopilotRuntime,
    errorsAcross:
      new second.ThreadBusyException('t') instanceof first.ThreadBusyException &&
      new first.CopilotKitConfigurationError('x') instanceof second.CopilotKitConfigurationError,
    subclassAcross: new first.InvalidCopilotAgentError(class NotAnAgent {}) instanceof second.CopilotKitConfigurationError,
    otherErrorsApart: !(new first.ThreadBusyException('t') instanceof second.ThreadNotFoundException),
    sameRuntime: app.get(UsesOtherBuild).runtime === runtime,
    sameThreads: app.get(UsesOtherBuild).threads === app.get(first.CopilotThreads),
    transcriptionFound: runtime.transcription instanceof Transcriber,
  }),
);
await app.close();
