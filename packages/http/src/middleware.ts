import { randomUUID } from 'node:crypto';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { AppError } from './errors.ts';
import type { Logger } from './logger.ts';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Echoes a sane incoming `X-Request-Id` or makes one; problems carry it so a user can quote it. */
export function requestId(): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    const id = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = id;
    res.setHeader('X-Request-Id', id);
    next();
  };
}

/**
 * JSON bodies only. A body-carrying request with another media type is a 415 (not silently an
 * empty body); malformed JSON is a 400 naming the position; an oversized body a 413.
 */
export function jsonBody(options: { limit: string }): RequestHandler {
  const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
  const parse = express.json({
    limit: options.limit,
    strict: false,
    type: () => true,
    // body-parser would quietly turn invalid UTF-8 into U+FFFD; that would sign different bytes.
    verify: (_req, _res, buf) => {
      try {
        strictUtf8.decode(buf);
      } catch {
        throw new AppError('MALFORMED_JSON', 'the body is not valid UTF-8; send JSON encoded as UTF-8');
      }
    },
  });
  return (req, res, next) => {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (!hasBody || req.method === 'GET' || req.method === 'HEAD') return next();
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(type)) {
      return next(new AppError('UNSUPPORTED_MEDIA_TYPE', `send the body as application/json; got ${type ? `"${type}"` : 'no Content-Type'}`));
    }
    parse(req, res, next);
  };
}

/** `Prefer: wait=N` (RFC 7240), N capped at 60 s, and `respond-async`. */
export function parsePrefer(header: string | undefined): { wait?: number; respondAsync?: boolean } {
  const out: { wait?: number; respondAsync?: boolean } = {};
  if (!header) return out;
  for (const part of header.split(',')) {
    const [name, value] = part.split(';')[0]!.split('=').map((s) => s.trim().toLowerCase());
    if (name === 'wait' && value && /^\d{1,6}$/.test(value)) out.wait = Math.min(Number(value), 60);
    if (name === 'respond-async') out.respondAsync = true;
  }
  return out;
}

export function notFoundHandler(): RequestHandler {
  return (req, _res, next) => next(new AppError('NOT_FOUND', `no such endpoint: ${req.method} ${req.path}`));
}

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
  limit?: number;
  message: string;
}

/** Every error becomes `application/problem+json`; only unexpected ones are logged, with stack. */
export function problemHandler(options: { logger: Logger }): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const error = toAppError(err);
    if (error.status >= 500) {
      options.logger.error('request failed', {
        requestId: res.locals.requestId,
        method: req.method,
        path: req.path,
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      });
    }
    if (error.code === 'RATE_LIMITED' || error.code === 'UNAVAILABLE') res.setHeader('Retry-After', '1');
    res
      .status(error.status)
      .type('application/problem+json')
      .send(JSON.stringify(error.toProblem(req.originalUrl, res.locals.requestId as string | undefined)));
  };
}

function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as BodyParserError;
  switch (e?.type) {
    case 'entity.parse.failed': {
      // The parser's message quotes the body around the fault (a password, a secret): only the
      // position goes back.
      const position = /at position (\d+)/.exec(e.message)?.[1];
      return new AppError('MALFORMED_JSON', `the body is not valid JSON${position === undefined ? '' : ` (at position ${position})`}`);
    }
    case 'entity.too.large':
      return new AppError('PAYLOAD_TOO_LARGE', `the body is larger than the limit of ${e.limit} bytes; split it into smaller submissions`, { limit: e.limit });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', `send the body as UTF-8 JSON: ${e.message}`);
    case 'request.aborted':
      return new AppError('VALIDATION_FAILED', 'the request was aborted before the body was complete');
  }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && e.expose) {
    return new AppError('VALIDATION_FAILED', e.message);
  }
  return new AppError('INTERNAL', 'an unexpected error occurred; it has been logged with the request id');
}
