/**
 * @module config/named-env-var
 * The value of an environment variable whose name a config file gives (`routingKeyEnv:`). Only
 * the environment's own variables: `env[name]` also reads what every object inherits, so a
 * routes file naming `constructor` or `toString` got a function back, and `.trim()` threw in
 * `validate`, in a reload and in each PagerDuty delivery of the team.
 */
export function namedEnvVar(env: NodeJS.ProcessEnv, name: string): string | undefined {
  return Object.hasOwn(env, name) ? env[name] : undefined;
}
