export { createCustodyApp, type CustodyAppDeps } from './app.ts';
export { CommandPipeline, refusalError, authorise, parseBody, MAX_BATCH_COMMANDS, type Executed, type PipelineDeps } from './pipeline.ts';
export { startProjector, refold, type ProjectorDeps } from './projector.ts';
export { CustodyTables, type CommandRecord, type CommandStatus, type EventStatus } from './store.ts';
export { httpLedgerClient, type LedgerClient } from './ledger-client.ts';
export { openApiDocument } from './openapi.ts';
export { startCustodyService, loadStandaloneConfig, runStandalone, type CustodyServiceDeps, type RunningCustodyService, type StandaloneConfig } from './service.ts';
