import { z } from 'zod';
import { type AppConfig, envSchema } from './env-schema';

/** Thrown when the environment is invalid; the message names each bad variable. */
export class ConfigError extends Error {
  readonly code = 'invalid_config';
}

/** Parses the environment (injectable for tests) into the app's config. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}\nSee .env.example.`);
}

/** Loads the config or prints the reason and exits 1: start-up must fail loudly. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): AppConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof z.ZodError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
