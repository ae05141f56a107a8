/**
 * Errors as RFC 9457 problem details. Every refusal a service makes is an `AppError` with a code
 * from the table below; `problemHandler` turns it into `application/problem+json` with a
 * bilingual title (zh-CN first), the detail, and whatever names the field or rule at fault.
 */

export type ErrorCode = keyof typeof CODES;

export interface Problem {
  /** JSON pointer (body) or parameter name. */
  path: string;
  message: string;
}

const CODES = {
  VALIDATION_FAILED: { status: 400, zh: '请求内容有误', en: 'The request is not valid' },
  MALFORMED_JSON: { status: 400, zh: '请求不是有效的 JSON', en: 'The body is not valid JSON' },
  UNAUTHENTICATED: { status: 401, zh: '需要登录或令牌', en: 'Authentication is required' },
  FORBIDDEN: { status: 403, zh: '没有权限', en: 'Not allowed' },
  NOT_FOUND: { status: 404, zh: '未找到', en: 'Not found' },
  CONFLICT: { status: 409, zh: '与现有记录冲突', en: 'Conflicts with what is already recorded' },
  PAYLOAD_TOO_LARGE: { status: 413, zh: '请求内容过大', en: 'The body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, zh: '请使用 JSON 格式', en: 'Send the body as application/json' },
  RULE_VIOLATED: { status: 422, zh: '不符合业务规则', en: 'A rule of the trade is not met' },
  RATE_LIMITED: { status: 429, zh: '请求过于频繁', en: 'Too many requests' },
  INTERNAL: { status: 500, zh: '服务器内部错误', en: 'Internal error' },
  UNAVAILABLE: { status: 503, zh: '服务暂不可用，请稍后重试', en: 'Temporarily unavailable; try again shortly' },
} as const;

export const PROBLEM_TYPE_BASE = 'https://milkchain.dev/problems/';

export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    detail: string,
    /** Extra members of the problem document: `problems`, `rule`, `pointer`, ids... */
    readonly extras: Record<string, unknown> = {},
  ) {
    super(detail);
    this.status = CODES[code].status;
  }

  /** The problem document (RFC 9457) for this error. */
  toProblem(instance?: string, requestId?: string): Record<string, unknown> {
    const { zh, en } = CODES[this.code];
    return {
      type: PROBLEM_TYPE_BASE + this.code.toLowerCase().replaceAll('_', '-'),
      title: `${zh} / ${en}`,
      status: this.status,
      code: this.code,
      detail: this.message,
      ...(instance ? { instance } : {}),
      ...(requestId ? { requestId } : {}),
      ...this.extras,
    };
  }
}

/** A 400 listing every field at fault; the detail names the first ones. */
export function validationFailed(problems: Problem[]): AppError {
  const first = problems
    .slice(0, 3)
    .map((p) => `${p.path || '(body)'}: ${p.message}`)
    .join('; ');
  const more = problems.length > 3 ? ` (and ${problems.length - 3} more)` : '';
  return new AppError('VALIDATION_FAILED', `${first}${more}`, { problems });
}

export function statusOf(code: ErrorCode): number {
  return CODES[code].status;
}
