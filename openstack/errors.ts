// Errors of the OpenStack edge: what failed, where, and what the operator can do about it. They
// never carry a token, a password or a request body, so they are safe to print and to log.

/** Bad or missing cloud configuration (clouds.yaml, OS_* variables, --os-* options). */
export class CloudConfigError extends Error {
  /** The setting at fault, as the operator writes it, e.g. `auth.auth_url` or `--os-cloud`. */
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'CloudConfigError';
    this.field = field;
  }
}

/** An OpenStack API answered with an error status. */
export class OpenStackHttpError extends Error {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly requestId: string | undefined;
  /** The service's own explanation, taken from its error body. */
  readonly detail: string;
  constructor(options: { method: string; url: string; status: number; requestId?: string; detail: string; hint?: string }) {
    const requestId = options.requestId ? ` (request id ${options.requestId})` : '';
    const detail = options.detail ? `: ${options.detail}` : '';
    super(`${options.method} ${options.url} failed with HTTP ${options.status}${detail}${requestId}${options.hint ? `. ${options.hint}` : ''}`);
    this.name = 'OpenStackHttpError';
    this.method = options.method;
    this.url = options.url;
    this.status = options.status;
    this.requestId = options.requestId;
    this.detail = options.detail;
  }
}

/** No answer at all: connection refused or reset, DNS failure, timeout, TLS failure. */
export class OpenStackConnectionError extends Error {
  readonly method: string;
  readonly url: string;
  readonly code: string | undefined;
  constructor(options: { method: string; url: string; code?: string; reason: string; attempts: number }) {
    super(`${options.method} ${options.url}: cannot reach the service (${options.reason}) after ${options.attempts} attempt${options.attempts === 1 ? '' : 's'}`);
    this.name = 'OpenStackConnectionError';
    this.method = options.method;
    this.url = options.url;
    this.code = options.code;
  }
}

/** Keystone refused the credentials or the scope. */
export class AuthenticationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthenticationError';
  }
}

/** The service catalog has no endpoint for a service type, interface and region. */
export class EndpointNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EndpointNotFoundError';
  }
}

/** The service's API is older than what ulm needs. */
export class MicroversionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MicroversionError';
  }
}
