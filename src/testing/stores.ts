import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { AppConfig } from '../config.js';

/**
 * The stores integration tests run against: always the embedded PGlite, and the real
 * PostgreSQL when DATABASE_URL is set (as .ci/run does). Each test gets a database of its own.
 */
export interface StoreUnderTest {
  name: 'pglite' | 'postgres';
  /** A fresh, empty store; `dispose` drops it. */
  create(): Promise<{ config: Pick<AppConfig, 'databaseUrl' | 'dataDir'>; dispose(): Promise<void> }>;
}

export function storesUnderTest(): StoreUnderTest[] {
  const stores: StoreUnderTest[] = [
    {
      name: 'pglite',
      async create() {
        const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'rh-pglite-'));
        return { config: { dataDir }, dispose: () => fs.rm(dataDir, { recursive: true, force: true }) };
      },
    },
  ];
  const url = process.env.DATABASE_URL;
  if (url) {
    stores.push({
      name: 'postgres',
      async create() {
        const name = `rh_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        await admin.query(`create database ${name}`);
        await admin.end();
        const dbUrl = new URL(url);
        dbUrl.pathname = `/${name}`;
        const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'rh-pg-'));
        return {
          config: { databaseUrl: dbUrl.toString(), dataDir },
          async dispose() {
            const c = new pg.Client({ connectionString: url });
            await c.connect();
            await c.query(`drop database if exists ${name} with (force)`);
            await c.end();
            await fs.rm(dataDir, { recursive: true, force: true });
          },
        };
      },
    });
  }
  return stores;
}

/** A Redis URL for tests, when one is configured. */
export function redisUrlUnderTest(): string | undefined {
  return process.env.REDIS_URL || undefined;
}
