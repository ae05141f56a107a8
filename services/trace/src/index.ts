export { createTraceApp, type TraceAppDeps } from './app.ts';
export { startTraceService, TRACE_AUDIENCES, type RunningTraceService, type TraceServiceDeps } from './service.ts';
export { openApiDocument } from './openapi.ts';
export {
  foldEntry,
  traceNeeds,
  moreToLoad,
  statusOf,
  eventRow,
  nodeRow,
  edgeRow,
  nodeFromState,
  EVENT_COLUMNS,
  NODE_COLUMNS,
  EDGE_COLUMNS,
  type Cell,
  type EdgeRel,
  type Folded,
  type TraceEdge,
  type TraceEntry,
  type TraceNode,
  type TraceStatus,
} from './lineage/fold.ts';
export { applyEntry } from './lineage/store.ts';
export { startTraceProjector, waitProjected, type TraceProjectorDeps } from './lineage/projector.ts';
export {
  backward,
  forward,
  forwardRoots,
  farmCollections,
  resolveSubject,
  lotOfUnit,
  nodeBySubject,
  type BackwardTrace,
  type ForwardTrace,
  type NodeView,
  type EdgeView,
  type SampleView,
  type ResultView,
  type EventView,
  type Queryable,
} from './lineage/queries.ts';
export { fsmaRows, toCsv, FSMA_COLUMNS, FSMA_HEADER } from './lineage/fsma.ts';
export { lineageRouter, TRACE_ROLES, MAX_FARM_DAYS } from './lineage/router.ts';
