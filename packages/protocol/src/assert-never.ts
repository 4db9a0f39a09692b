/** Ends an exhaustive switch: the compiler rejects the call if any case was left out. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
