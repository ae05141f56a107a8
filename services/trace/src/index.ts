export { createTraceApp, type TraceAppDeps } from './app.ts';
export { startTraceService, TRACE_AUDIENCES, type RunningTraceService, type TraceServiceDeps } from './service.ts';
export { recallRouter, type RecallRouterDeps, type RecallWriter } from './recall/router.ts';
export { recallScope, rootUrn, holdersOf, type RecallRoot, type RecallScope } from './recall/scope.ts';
export { recallById, listRecalls, type RecallView, type HolderView } from './recall/views.ts';
export { startRecalls, type RecallServiceDeps, type RunningRecalls } from './recall/service.ts';
export { signBody, verifySignature, backoff, deliverDue, enqueueRecallNotifications, startRecallNotifier, createSubscription, listSubscriptions, SIGNATURE_HEADER, DELIVERY_HEADER, EVENT_HEADER, RECALL_EVENT_KINDS, type DeliveryOptions, type Notifier } from './recall/webhooks.ts';
export { coarsePlace, COPY_WARNING, DEFAULT_SCAN_THRESHOLDS, flaggedSerials, recordScan, scanVerdict, scansRouter, type FlaggedSerial, type ScanReason, type ScanRecord, type ScanThresholds, type ScanVerdict, type SerialCode } from './scans/index.ts';
export { openApiDocument } from './openapi.ts';
export * from './labels/index.ts';
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
export { applyEntry, applyEntries } from './lineage/store.ts';
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
export { resolverRouter, serialIssued, BUNDLE_PREFIX, DEFAULT_RATE_LIMIT, type ResolverDeps } from './resolver/router.ts';
export { BundleCache, buildBundle, storeBundle, readLot, clearBundles, MAX_BUNDLE_ENTRIES, type BundleDeps, type LotRecord } from './resolver/bundle.ts';
export { BUNDLE_VERSION, type BundleEntry, type VerificationBundle } from './resolver/bundle-types.ts';
export { verifyBundle, type BundleCheck, type BundleFailure, type BundleReport, type VerifyOptions } from './resolver/verify-bundle.ts';
export { httpLedgerReader, httpOrgDirectory, UpstreamError, type BaseUrl, type LedgerReader, type OrgDirectory, type OrgProfile } from './resolver/clients.ts';
export { pageModel, analyteName, type PageModel, type Alert, type LabResult, type FarmGroup, type Shipment, type Text } from './resolver/view.ts';
export { consumerPage, copyWarningSection, errorPage, temperatureChart, escapeHtml, type Lang, type PageOptions } from './resolver/page.ts';
export { lotLinkset, GS1, LINKSET_TYPE, type LinksetOptions } from './resolver/linkset.ts';
export { TokenBuckets, type RateLimitOptions } from './resolver/rate-limit.ts';
export { buildPageScript, SCRIPT_PREFIX, type BuiltScript } from './resolver/script.ts';
export { epcisExportRouter, epcisCaptureApp, upstreamAsUnavailable, EPCIS_MEDIA_TYPE } from './epcis/router.ts';
export { exportSubject, historyEvents, fetchEntries, MAX_EXPORT_EVENTS, type ExportDeps } from './epcis/export.ts';
export { checkDocument, startCapture, runCapture, readCapture, batchesOf, MAX_CAPTURE_EVENTS, type CaptureDeps, type CaptureRecord, type CaptureStatus } from './epcis/capture.ts';
export {
  httpLedgerEntries,
  httpOrgList,
  httpCustodyClient,
  type LedgerEntries,
  type LedgerCheckpoint,
  type OrgList,
  type DirectoryOrg,
  type CustodyClient,
  type CustodyAnswer,
  type CustodyUrls,
  type FetchedEntry,
} from './epcis/upstream.ts';
export { regulatorApiRouter, regulatorPageRouter, nonconformityReport, windowOf, REGULATOR_ROLES, REGULATOR_COOKIE, type RegulatorDeps } from './regulator/router.ts';
export { openRecalls, currentHolds, nonconformities, coldChainExcursions, lastAudit, type OpenRecall, type Hold, type Nonconformity, type ColdChainExcursion, type StoredAudit } from './regulator/queries.ts';
export { auditLedger, recordAudit, type AuditOptions, type AuditReport } from './regulator/audit.ts';
export { bucketOf, bucketsBetween, seriesOf, MAX_BUCKETS, type Bucket, type Region, type RegionalNonconformity, type Series } from './regulator/series.ts';
export { regulatorPage, loginPage, nonconformityChart, type RegulatorModel } from './regulator/page.ts';
