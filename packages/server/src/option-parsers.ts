import { InvalidArgumentError } from 'commander';

// The value parsers of both command lines (`baleen` and `baleen-server`), so a flag's value is read and refused in
// the same words whichever program takes it. Exported as `@baleen/server/option-parsers`: small, and loading it
// does not load the server.

/** `--concurrency 4`: a whole number, 1 or more. */
export function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('expected a positive integer');
  return parsed;
}

/** `--retries 0`: a whole number, 0 or more. */
export function nonNegativeInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('expected a whole number, 0 or more');
  return parsed;
}

/** `--cpus 1.5`: any number above 0. */
export function positiveNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError('expected a positive number');
  return parsed;
}

/** `--port 0`: 0 (pick a free one) to 65535. */
export function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535) {
    throw new InvalidArgumentError('expected a port 0-65535');
  }
  return parsed;
}

/** A repeatable flag: `--env A=1 --env B=2` gathers both. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
