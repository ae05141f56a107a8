export { LABEL_ROLES, labelsRouter, MAX_SERIALS, MAX_SHEET_CODES, MAX_SHEET_LOTS, productNames, unitSerial, type LabelsRouterDeps } from './router.ts';
export { LABEL_WORKER_NAME, renderPackedLots, startLabelWorker, type LabelWorker, type LabelWorkerOptions } from './worker.ts';
