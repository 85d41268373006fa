// One HTTPS request from a test, with the CA (and a client certificate) to present: the status, JSON body and headers, or the error.
import { request } from 'node:https';

export interface HttpsAnswer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON bodies off the wire
  body: any;
  headers: Record<string, unknown>;
}

/**
 * `url` + `path` with SNI `localhost` and no connection reuse; the body is JSON (the first SSE `data:` line for streamed
 * MCP answers). A connection refused after the handshake (revoked or missing client certificate) resolves to the error.
 */
export function httpsRequest(url: string, path: string, options: { ca: string; cert?: string; key?: string; method?: string; body?: unknown; headers?: Record<string, string> }): Promise<HttpsAnswer | Error> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const req = request(
      { host: u.hostname, port: u.port, path, method: options.method ?? 'GET', servername: 'localhost', agent: false, ca: options.ca, cert: options.cert, key: options.key, headers: { ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          const data = /^data: (.*)$/m.exec(text)?.[1] ?? text;
          resolve({ status: res.statusCode ?? 0, body: data === '' ? undefined : JSON.parse(data), headers: res.headers });
        });
      },
    );
    req.on('error', (error) => resolve(error));
    req.end(options.body === undefined ? undefined : JSON.stringify(options.body));
  });
}
