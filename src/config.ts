import path from 'node:path';

/** Runtime configuration, read once from the environment. */
export interface AppConfig {
  /** PostgreSQL connection string; absent → embedded PGlite in dataDir. */
  databaseUrl?: string;
  /** Redis connection string; absent → jobs run in process. */
  redisUrl?: string;
  /** Where the embedded database (and uploads) live. */
  dataDir: string;
  /** BullMQ key prefix, so several deployments or test runs can share one Redis. */
  queuePrefix: string;
  port: number;
  /** Most rows one imported file may have; a bigger export must be split. */
  maxRowsPerFile: number;
  /** Requests one API key may make per rateLimitWindowMs before 429. */
  rateLimitMax: number;
  rateLimitWindowMs: number;
  /** How long an API process trusts a key it has checked (a revocation elsewhere takes this long to bite). */
  keyCacheMs: number;
  /** Largest upload POST /v1/imports accepts (bytes) before 413. */
  maxUploadBytes: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const port = Number(env.PORT ?? 3000);
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    dataDir: path.resolve(env.DATA_DIR || './data'),
    queuePrefix: env.RH_QUEUE_PREFIX || 'resident-hub',
    port: Number.isFinite(port) ? port : 3000,
    maxRowsPerFile: Number(env.RH_MAX_ROWS_PER_FILE) || 1_000_000,
    rateLimitMax: Number(env.RH_RATE_LIMIT_MAX) || 6000,
    rateLimitWindowMs: Number(env.RH_RATE_LIMIT_WINDOW_MS) || 60_000,
    keyCacheMs: env.RH_KEY_CACHE_MS === undefined || env.RH_KEY_CACHE_MS === '' ? 10_000 : Number(env.RH_KEY_CACHE_MS),
    maxUploadBytes: Number(env.RH_MAX_UPLOAD_BYTES) || 200 * 1024 * 1024,
  };
}
