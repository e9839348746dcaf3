import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A tiny TCP load balancer for failover tests: every new connection goes to the first backend in
 * the list that accepts it, so a page opened through it lands on the first node and, once that node
 * is dead (its port refuses), reconnects to the next. HAProxy (test/chaos/cluster.ts) spreads
 * clients round-robin; a test that needs a page on one known node until that node dies uses this.
 * Listens on 127.0.0.1 only; stop() closes it and every connection through it.
 */
export class FailoverProxy {
  private constructor(
    private readonly server: Server,
    private readonly open: Set<Socket>,
    readonly port: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** `ports`: the backends, first choice first. */
  static async start(ports: number[]): Promise<FailoverProxy> {
    const open = new Set<Socket>();
    const track = (s: Socket) => {
      open.add(s);
      s.once('close', () => open.delete(s));
    };
    const server = createServer((client) => {
      track(client);
      client.pause();
      client.on('error', () => client.destroy());
      const tryBackend = ([port, ...rest]: number[]) => {
        if (port === undefined) return void client.destroy();
        let connected = false;
        const upstream = connect(port, '127.0.0.1');
        upstream.on('error', () => {
          // Refused: this backend is down, try the next. Dropped later: the client's connection drops too.
          if (!connected) tryBackend(rest);
          else client.destroy();
        });
        upstream.once('connect', () => {
          connected = true;
          track(upstream);
          upstream.once('close', () => client.destroy());
          client.once('close', () => upstream.destroy());
          client.pipe(upstream);
          upstream.pipe(client);
          client.resume();
        });
      };
      tryBackend(ports);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new FailoverProxy(server, open, (server.address() as { port: number }).port);
  }

  async stop(): Promise<void> {
    for (const socket of this.open) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
