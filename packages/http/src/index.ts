export { AppError, PROBLEM_TYPE_BASE, statusOf, validationFailed, type ErrorCode, type Problem } from './errors.ts';
export { jsonLogger, silentLogger, type Logger } from './logger.ts';
export { jsonBody, notFoundHandler, parsePrefer, problemHandler, requestId } from './middleware.ts';
