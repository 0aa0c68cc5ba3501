import type { AddressInfo } from 'node:net';
import type { AppContext } from '../context.js';
import { buildApp } from './app.js';

export interface RunningServer {
  /** The port actually bound (PORT=0 asks the system for a free one). */
  port: number;
  close(): Promise<void>;
}

/** Listens; everything else is in the app plugin. */
export async function serve(ctx: AppContext, host = '0.0.0.0'): Promise<RunningServer> {
  const app = await buildApp(ctx);
  await app.listen({ port: ctx.config.port, host });
  const { port } = app.server.address() as AddressInfo;
  return { port, close: () => app.close() };
}
