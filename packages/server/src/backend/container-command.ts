import { FILE_PLACEHOLDER } from '@baleen/protocol';

/**
 * The test command's argv for one file: every `{file}` inside an argument is replaced by the path, or the path
 * is appended as the last argument. The path is one argv element and never passes through a shell.
 */
export function commandForFile(command: readonly string[], file: string): string[] {
  const hasPlaceholder = command.some((arg) => arg.includes(FILE_PLACEHOLDER));
  if (!hasPlaceholder) return [...command, file];
  return command.map((arg) => arg.split(FILE_PLACEHOLDER).join(file));
}

export const BEFORE_COMMAND_ENV = 'BALEEN_BEFORE_COMMAND';

/*
 * The before-command is the user's own shell script, so it runs in `sh -e` and stops at its first failing line.
 * It reaches the shell through an environment variable, and the test argv through "$@": neither is ever pasted
 * into the script text, so file names with quotes, `;` or `$(...)` stay inert.
 */
// -x traces each command to stderr behind PS4, so the last traced line before the failure is the one that failed.
const WRAPPER_SCRIPT = [
  `PS4='+ before-command: ' sh -xec "$${BEFORE_COMMAND_ENV}" || {`,
  '  status=$?',
  `  echo "baleen: --before-command failed with exit code $status at its last '+ before-command:' line above; the test command did not run" >&2`,
  '  exit "$status"',
  '}',
  'exec "$@"',
].join('\n');

export interface ContainerCommand {
  argv: string[];
  env: Record<string, string>;
}

export function withBeforeCommand(argv: string[], beforeCommand: string | undefined): ContainerCommand {
  if (beforeCommand === undefined) return { argv, env: {} };
  return {
    argv: ['sh', '-c', WRAPPER_SCRIPT, 'baleen-before-command', ...argv],
    env: { [BEFORE_COMMAND_ENV]: beforeCommand },
  };
}
