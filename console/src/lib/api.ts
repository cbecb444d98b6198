// The API client: JSON over fetch on the same origin. Every command carries the session's
// CSRF token (X-CSRF-Token); a command that must happen once carries an Idempotency-Key, made
// once per submission, so a double click or a retry is one transaction. An answer that is not
// 2xx becomes an ApiError with the API's code, message and field. A 401 on an authenticated
// call tells the application (event 'minato:unauthenticated') so it can ask for a new login and
// come back to the same screen.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

let csrfToken = '';
let lastActivity = Date.now();

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

// When the last authenticated call answered (the server's idle timer restarted then).
export function lastActivityMs(): number {
  return lastActivity;
}

export interface RequestOptions {
  idempotencyKey?: string;
  anonymous?: boolean; // a 401 here is an answer, not an expired session (login, enrolment)
  ifMatch?: string;
  headers?: Record<string, string>; // more headers (a file's name)
  file?: boolean; // the answer is a file to save (FileAnswer), not JSON
}

// A file the server hands over (Content-Disposition names it).
export interface FileAnswer {
  blob: Blob;
  filename: string;
}

// A file sent as the body itself (the API takes EDI files so), not as JSON.
export class FileBody {
  constructor(
    readonly bytes: ArrayBuffer,
    readonly contentType: string,
  ) {}
}

export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

async function call<T>(
  method: string,
  path: string,
  body: unknown,
  options: RequestOptions,
): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (body instanceof FileBody) headers['Content-Type'] = body.contentType;
  else if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey;
  if (options.ifMatch) headers['If-Match'] = options.ifMatch;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body instanceof FileBody ? body.bytes : body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      redirect: 'error',
    });
  } catch {
    // The connection failed or was closed before an answer: the server is down, or it closes
    // connections from this address (blocked after repeated failed logins).
    throw new ApiError(0, 'network', 'no answer from the server');
  }
  if (options.file && res.ok) {
    const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '');
    lastActivity = Date.now();
    return { blob: await res.blob(), filename: name ? name[1] : 'download' } as T;
  }
  const text = await res.text();
  let data: unknown = undefined;
  // JSON, and JSON of a named kind (application/vnd.cyclonedx+json).
  if (text && /^application\/(?:[\w.-]+\+)?json\b/.test(res.headers.get('content-type') ?? '')) {
    try {
      data = JSON.parse(text);
    } catch {
      throw new ApiError(res.status, 'bad_response', 'the server answered with malformed JSON');
    }
  }
  if (!res.ok) {
    const e = (data as { error?: { code?: string; message?: string; field?: string } })?.error;
    if (res.status === 401 && !options.anonymous) {
      window.dispatchEvent(new CustomEvent('minato:unauthenticated'));
    }
    throw new ApiError(res.status, e?.code ?? `http_${res.status}`, e?.message ?? text, e?.field);
  }
  if (!options.anonymous) lastActivity = Date.now();
  return data as T;
}

export const api = {
  get: <T>(path: string, options: RequestOptions = {}) => call<T>('GET', path, undefined, options),
  post: <T>(path: string, body: unknown = {}, options: RequestOptions = {}) =>
    call<T>('POST', path, body, options),
  put: <T>(path: string, body: unknown, options: RequestOptions = {}) =>
    call<T>('PUT', path, body, options),
  patch: <T>(path: string, body: unknown, options: RequestOptions = {}) =>
    call<T>('PATCH', path, body, options),
  del: <T>(path: string, options: RequestOptions = {}) => call<T>('DELETE', path, undefined, options),
  // A command whose answer is a file: it is saved as the browser saves downloads.
  postForFile: async (path: string, body: unknown = {}): Promise<FileAnswer> =>
    saveFile(await call<FileAnswer>('POST', path, body, { file: true })),
  // A read whose answer is a file to keep (an SBOM): saved the same way.
  getForFile: async (path: string): Promise<FileAnswer> =>
    saveFile(await call<FileAnswer>('GET', path, undefined, { file: true })),
};

function saveFile(got: FileAnswer): FileAnswer {
  saveBlob(got.blob, got.filename);
  return got;
}

// Hands a file made in the page (a report the API answered as JSON) to the browser's downloads.
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

// A path segment, percent-encoded (a container number or user name typed by a person).
export function seg(value: string | number): string {
  return encodeURIComponent(String(value));
}
