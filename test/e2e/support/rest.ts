// Requests to a running mesh's REST API, as an agent or script would make them (to provoke what the console should show).
import { request as httpRequest } from 'node:http';

export async function restGet(apiUrl: string, path: string, apiKey: string): Promise<number> {
  const response = await fetch(`${apiUrl}${path}`, { headers: { authorization: `Bearer ${apiKey}` } });
  await response.arrayBuffer();
  return response.status;
}

/** A request from another loopback address (Linux routes all of 127.0.0.0/8 to lo), e.g. one the blocklist refuses. */
export function restGetFrom(localAddress: string, apiUrl: string, path: string): Promise<number> {
  const url = new URL(path, apiUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { localAddress, headers: { host: url.host } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}
