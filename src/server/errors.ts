/**
 * Typed error codes, mapped to HTTP statuses in this one place. Messages are
 * for the person who made the request; 5xx bodies reveal nothing internal.
 */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  BAD_REQUEST: 400,
  GEOJSON_INVALID: 400,
  COORDINATES_OUT_OF_RANGE: 400,
  PASSWORD_TOO_WEAK: 400,
  UNAUTHENTICATED: 401,
  SESSION_EXPIRED: 401,
  LOGIN_FAILED: 401,
  FORBIDDEN: 403,
  CSRF_TOKEN_INVALID: 403,
  ACCOUNT_LOCKED: 423,
  NOT_FOUND: 404,
  CASE_NOT_FOUND: 404,
  CASE_INVALID_TRANSITION: 409,
  CASE_CHANGED_CONCURRENTLY: 409,
  NODE_NOT_FOUND: 404,
  NOT_LOCATED: 404,
  USER_NOT_FOUND: 404,
  DEPARTMENT_NOT_FOUND: 404,
  NOTICE_NOT_FOUND: 404,
  WEBHOOK_NOT_FOUND: 404,
  ANALYSIS_ITEM_NOT_FOUND: 404,
  CONFLICT: 409,
  NODE_RETIRED: 409,
  USERNAME_TAKEN: 409,
  PHONE_TAKEN: 409,
  DUPLICATE: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldError {
  /** Dotted path of the field, e.g. `boundary.coordinates` or `lng`. */
  field: string;
  reason: string;
}

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string = code,
    readonly fields?: FieldError[],
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }
}

/** 400 for one field, with the field named in the message too. */
export function fieldError(field: string, reason: string, code: ErrorCode = 'VALIDATION_FAILED'): AppError {
  return new AppError(code, `${field}: ${reason}`, [{ field, reason }]);
}

/** The JSON body of every error response. */
export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  fields?: FieldError[];
  details?: Record<string, unknown>;
}
