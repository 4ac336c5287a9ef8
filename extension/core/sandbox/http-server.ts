/** The sandbox's HTTP servers (control, schema registry) on 127.0.0.1: starting, stopping and routing, one way for both. */
import http from 'node:http';
import type net from 'node:net';
import { errorMessage } from '../util/errors';

/** Listens on host:port (0 = a free port) and gives the bound port; a port in use is named with how to fix it. */
export async function listenHttp(
  server: http.Server,
  host: string,
  port: number,
  what: string,
  portOption: string,
): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error) =>
      reject(
        new Error(
          `${what} cannot listen on ${host}:${port} (${errorMessage(e)}); choose another ${portOption}, or 0 for a free one`,
        ),
      );
    server.once('error', onError);
    server.listen({ host, port }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  return (server.address() as net.AddressInfo).port;
}

/** Closes the server and every connection it holds (keep-alive ones too), so stop does not wait on clients. */
export async function closeHttp(server: http.Server | null): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/**
 * The route a request names: its path without trailing slashes, the route for its method with the path's
 * parameters URL-decoded, or (no route for the method) the methods the path allows, empty when no route has the path.
 */
export function findRoute<R extends { method: string; pattern: RegExp }>(
  routes: R[],
  method: string | undefined,
  rawUrl: string | undefined,
): { url: URL; path: string; route?: R; params: string[]; allowed: string[] } {
  const url = new URL(rawUrl ?? '/', 'http://sandbox');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const onPath = routes.map((r) => ({ r, m: r.pattern.exec(path) })).filter((x) => x.m);
  const match = onPath.find((x) => x.r.method === method);
  return {
    url,
    path,
    route: match?.r,
    params: match ? match.m!.slice(1).map((p) => decodeURIComponent(p)) : [],
    allowed: onPath.map((x) => x.r.method),
  };
}

/** The names a local client may reach this server by; anything else in Host came through a name we do not own. */
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/** Why a request must be refused because of where it came from, or null when a local program sent it. */
export function foreignRequestProblem(headers: http.IncomingHttpHeaders, port: number): string | null {
  const own = LOOPBACK_NAMES.map((name) => `${name}:${port}`);
  const host = headers.host?.toLowerCase();
  if (host === undefined || !own.includes(host)) {
    return `Host ${JSON.stringify(headers.host ?? '')} is not this server's address (${own.join(', ')}); the control API answers only loopback addresses, so a web page cannot reach it through another name (DNS rebinding)`;
  }
  const origin = headers.origin;
  if (origin !== undefined && !own.some((a) => `http://${a}` === origin.toLowerCase())) {
    return `Origin ${JSON.stringify(origin)} is a web page, not this server; the control API takes requests only from local programs such as curl, scripts and the extension`;
  }
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return `Sec-Fetch-Site ${JSON.stringify(site)}: a web page sent this request; the control API takes requests only from local programs such as curl, scripts and the extension`;
  }
  return null;
}
