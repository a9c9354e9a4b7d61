/**
 * HTTP calls to the admin ports of nodes and the gateway. Every call has a deadline and resolves
 * to a value: a process that is down, slow or answering garbage is an expected state while a
 * cluster changes, and the caller decides whether to wait or give up.
 */

/** An HTTP answer with a JSON (or empty) body, or why there was none. */
export type HttpResult =
  | { readonly ok: true; readonly status: number; readonly body: unknown }
  | { readonly ok: false; readonly error: string };

export interface AdminClient {
  get(address: string, path: string): Promise<HttpResult>;
  put(address: string, path: string, body: string): Promise<HttpResult>;
}

/** An AdminClient over fetch, each request limited to `timeoutMs`. */
export function createAdminClient(timeoutMs: number): AdminClient {
  const call = async (address: string, path: string, init: RequestInit): Promise<HttpResult> => {
    const url = `http://${address}${path}`;
    try {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        // Not JSON: keep the text, for the error message.
      }
      return { ok: true, status: response.status, body };
    } catch (error) {
      const cause = (error as { cause?: { code?: unknown } }).cause?.code;
      const name = (error as Error).name;
      const why =
        name === 'TimeoutError'
          ? `no answer within ${timeoutMs} ms`
          : typeof cause === 'string'
            ? cause
            : (error as Error).message;
      return { ok: false, error: `${init.method ?? 'GET'} ${url}: ${why}` };
    }
  };
  return {
    get: (address, path) => call(address, path, { method: 'GET' }),
    put: (address, path, body) =>
      call(address, path, {
        method: 'PUT',
        body,
        headers: { 'content-type': 'application/json' },
      }),
  };
}

/** `{"error":{"code":..,"message":..}}` bodies, as both admin apps send them, in one line. */
export function describeHttpError(result: HttpResult): string {
  if (!result.ok) return result.error;
  const error = (result.body as { error?: { code?: unknown; message?: unknown } } | undefined)
    ?.error;
  if (error !== undefined)
    return `HTTP ${result.status} ${String(error.code)}: ${String(error.message)}`;
  return `HTTP ${result.status}${typeof result.body === 'string' ? `: ${result.body.slice(0, 200)}` : ''}`;
}
