import type { AppContext } from '../context.js';
import { buildApp } from './app.js';

/** Listens; everything else is in the app plugin. */
export async function serve(ctx: AppContext, host = '0.0.0.0'): Promise<() => Promise<void>> {
  const app = await buildApp(ctx);
  await app.listen({ port: ctx.config.port, host });
  return () => app.close();
}
