// Typed errors: every failure a user can cause carries a stable code, what was at fault (file and line,
// flag, or value path) and a hint. Core modules throw these; only src/cli prints them and picks the exit code.

export type ErrorCode =
  | 'USAGE'
  | 'VALUES_PARSE'
  | 'VALUES_FILE'
  | 'SET_SYNTAX'
  | 'SET_TYPE'
  | 'FORBIDDEN_KEY'
  | 'SCHEMA_INVALID'
  | 'SCHEMA_VIOLATION'
  | 'CHART_NOT_FOUND'
  | 'CHART_INVALID'
  | 'ARCHIVE_INVALID'
  | 'DEPENDENCY'
  | 'TEMPLATE_SYNTAX'
  | 'TEMPLATE_RENDER'
  | 'TEMPLATE_RECURSION'
  | 'TEMPLATE_REQUIRED'
  | 'TEMPLATE_FAIL'
  | 'PARTIAL_NOT_FOUND'
  | 'MANIFEST_INVALID'
  | 'LINT_FAILED'
  | 'REPO'
  | 'HTTP'
  | 'CLUSTER'
  | 'KUBECONFIG'
  | 'RELEASE'
  | 'LOCKED'
  | 'TIMEOUT'
  | 'IO'
  | 'INTERNAL'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'WAIT_FAILED';

export interface ErrorDetails {
  hint?: string;
  file?: string;
  line?: number;
  column?: number;
  flag?: string;
  path?: string;
  /** Several problems found at once (schema violations, lint findings); the message summarises them. */
  problems?: string[];
  /** What else went wrong on the way out (e.g. releasing a lock after the failure); printed after the hint. */
  notes?: string[];
  cause?: unknown;
}

export class PortolanError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly flag?: string;
  readonly path?: string;
  readonly problems?: string[];
  readonly notes: string[];

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'PortolanError';
    this.code = code;
    this.hint = details.hint;
    this.file = details.file;
    this.line = details.line;
    this.column = details.column;
    this.flag = details.flag;
    this.path = details.path;
    this.problems = details.problems;
    this.notes = [...(details.notes ?? [])];
  }

  /**
   * Adds a secondary problem without hiding this error (Python's add_note): a failure while cleaning up after this
   * one is reported beside it, never instead of it.
   */
  addNote(note: string): this {
    this.notes.push(note);
    return this;
  }

  /** 2 for a command line the parser or a flag check rejected, 1 for everything else. */
  get exitCode(): 1 | 2 {
    return this.code === 'USAGE' ? 2 : 1;
  }

  /** `file:line:column` when known, else the file, else undefined. */
  get location(): string | undefined {
    if (!this.file) return undefined;
    if (this.line === undefined) return this.file;
    return this.column === undefined ? `${this.file}:${this.line}` : `${this.file}:${this.line}:${this.column}`;
  }
}

export class UsageError extends PortolanError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('USAGE', message, details);
    this.name = 'UsageError';
  }
}

export function isPortolanError(error: unknown): error is PortolanError {
  return error instanceof PortolanError;
}

/** The message of any thrown value, for wrapping third-party errors. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
