// One base URL in front of services that run as separate processes: requests go to the service
// named by the first path segment (`/farm/...` → farm), so helpers written for the one-process
// mode (seedOrgs, runSteps, api) work unchanged. An upstream that is down or dies mid-request
// shows up as a dropped connection, as it would without the proxy, never as an HTTP answer.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PathProxy {
  /** http://127.0.0.1:<port> */
  url: string;
  close(): Promise<void>;
}

/**
 * `routes` maps a first path segment (`farm`, `ledger`, `.well-known`) to the base URL of the
 * process that serves it. A path whose segment has no route is answered 404 by the proxy.
 */
export async function startPathProxy(routes: Readonly<Record<string, string>>): Promise<PathProxy> {
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const segment = (req.url ?? '/').split('/')[1]?.split('?')[0] ?? '';
    const target = routes[segment];
    if (!target) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`no route for /${segment}`);
      return;
    }
    const url = new URL(req.url ?? '/', target);
    const upstream = http.request(url, { method: req.method, headers: { ...req.headers, host: url.host }, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      answer.on('aborted', () => res.destroy());
      answer.on('error', () => res.destroy());
    });
    // Refused, reset or killed upstream: drop the client's connection too.
    upstream.on('error', () => {
      res.destroy();
      req.socket.destroy();
    });
    req.on('aborted', () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      agent.destroy();
    },
  };
}
