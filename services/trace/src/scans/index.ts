export { coarsePlace, COPY_WARNING, DEFAULT_SCAN_THRESHOLDS, flaggedSerials, recordScan, scanVerdict, type FlaggedSerial, type ScanReason, type ScanRecord, type ScanThresholds, type ScanVerdict, type SerialCode } from './scans.ts';
export { scansRouter } from './router.ts';
