import type { z } from 'zod';

/** Parse the environment once at boot; a bad value stops the process with a message naming the variable. */
export function readEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
  throw new Error(`invalid environment:\n${lines.join('\n')}`);
}
