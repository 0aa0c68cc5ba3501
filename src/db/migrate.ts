import type { Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import { migrations } from '../../migrations/index.js';
import { AppError, ErrorCodes } from '../errors.js';

class StaticMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations;
  }
}

/** Brings the schema up to date; safe to call at every start (concurrent callers are serialised by Kysely's lock). */
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db, provider: new StaticMigrationProvider() });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const message = result.error instanceof Error ? result.error.message : String(result.error);
    throw new AppError(ErrorCodes.INTERNAL, `database migration failed: ${message}`);
  }
  return result;
}
