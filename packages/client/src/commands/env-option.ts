import { BaleenError, ENV_NAME_PATTERN } from '@baleen/protocol';

/**
 * Parses repeated `--env K=V` (or `--env K`, which passes K's value from this environment, as `docker run -e K`
 * does) into a record. Names are checked here so a typo fails before any container exists.
 */
export function parseEnvOptions(
  entries: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  flag = '--env',
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const entry of entries) {
    const at = entry.indexOf('=');
    const name = at === -1 ? entry : entry.slice(0, at);
    if (!ENV_NAME_PATTERN.test(name)) {
      throw new BaleenError(
        'USAGE',
        `${flag} '${entry}': '${name}' is not a valid variable name (letters, digits, _; not starting with a digit)`,
      );
    }
    if (at !== -1) {
      result[name] = entry.slice(at + 1);
      continue;
    }
    const inherited = env[name];
    if (inherited === undefined)
      throw new BaleenError('USAGE', `${flag} ${name}: ${name} is not set here; pass ${flag} ${name}=VALUE`);
    result[name] = inherited;
  }
  return result;
}
