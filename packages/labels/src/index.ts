/**
 * QR codes and printable labels for GS1 Digital Link URIs (the URIs themselves come from
 * `@milkchain/domain`: buildDigitalLink, parseDigitalLink).
 */
export { DEFAULT_ERROR_CORRECTION, DEFAULT_PNG_SCALE, escapeXml, QUIET_ZONE, renderQr, type ErrorCorrection, type QrOptions } from './qr.ts';
export { createMemoryLabelCache, ensureLotLabel, qrRenderer, type LabelCache, type QrRenderer, type RenderedQr } from './cache.ts';
export { createPgLabelCache } from './pg-cache.ts';
export { labelSheet, LABELS_PER_PAGE, type LabelContent, type LabelSheetOptions } from './sheet.ts';
