import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { SOURCE_NAMES } from '../../adapters/types.js';
import { generateDistrict, type DistrictManifest } from '../../fixtures/generator/index.js';
import { createKey } from '../access/keys.service.js';
import { ROLES, type Role } from '../access/roles.js';
import { importFiles } from '../ingest/import-files.js';
import { runLink } from '../linkage/link.service.js';
import { testContext } from '../testing/context.js';
import type { StoreUnderTest } from '../testing/stores.js';
import { buildApp } from './app.js';
import { createApiServices, type ApiServices } from './services.js';
import type { AppContext } from '../context.js';

/** A server over a small linked synthetic district, with a key for every role. */
export interface ApiFixture {
  ctx: AppContext;
  app: FastifyInstance;
  services: ApiServices;
  keys: Record<Role, string>;
  manifest: DistrictManifest;
  districtDir: string;
  /** An injected request as `role` (or with no key when role is null). */
  request(role: Role | null, options: InjectOptions): Promise<LightMyRequestResponse>;
  dispose(): Promise<void>;
}

export interface ApiFixtureOptions {
  people?: number;
  seed?: number;
  /** Import and link the district (default true); false: an empty store. */
  load?: boolean;
  env?: Partial<AppContext['config']>;
}

export async function apiFixture(store: StoreUnderTest, options: ApiFixtureOptions = {}): Promise<ApiFixture> {
  const districtDir = await fs.mkdtemp(path.join(os.tmpdir(), 'rh-api-district-'));
  const ctx = await testContext(store);
  Object.assign(ctx.config, options.env ?? {});
  const manifest = await generateDistrict({ people: options.people ?? 300, seed: options.seed ?? 51_337, outDir: districtDir, format: 'csv' });
  if (options.load !== false) {
    for (const source of SOURCE_NAMES) {
      const files = manifest.files.filter((f) => f.source === source).map((f) => path.join(districtDir, f.file));
      if (files.length) await importFiles(ctx, source, files);
    }
    await runLink(ctx.store);
  }
  const keys = {} as Record<Role, string>;
  for (const role of ROLES) keys[role] = (await createKey(ctx.db, { role, name: `test ${role}` })).key;
  const services = createApiServices(ctx);
  const app = await buildApp(ctx, { services });
  await app.ready();
  return {
    ctx,
    app,
    services,
    keys,
    manifest,
    districtDir,
    request(role, opts) {
      const headers = { ...(opts.headers ?? {}), ...(role ? { authorization: `Bearer ${keys[role]}` } : {}) };
      return app.inject({ ...opts, headers });
    },
    async dispose() {
      await app.close();
      await ctx.dispose();
      await fs.rm(districtDir, { recursive: true, force: true });
    },
  };
}
