import { RedisPostgresAgentRunner, SqliteAgentRunner, type AgentRunner } from 'nestjs-copilotkit';

/** In memory by default; the consumer checks run some apps on a durable runner, with its peers at their lowest versions. */
export function runnerFromEnv(): AgentRunner | undefined {
  switch (process.env.COPILOT_RUNNER) {
    case 'sqlite':
      return new SqliteAgentRunner({ path: process.env.SQLITE_PATH ?? 'copilotkit.sqlite' });
    case 'redis-postgres':
      return new RedisPostgresAgentRunner({
        postgres: { connectionString: process.env.DATABASE_URL },
        schema: process.env.PG_SCHEMA,
        redis: { host: '127.0.0.1', port: 6379 },
        keyPrefix: process.env.PG_SCHEMA,
      });
    default:
      return undefined;
  }
}
