import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** Containers on the real engine matching every label filter (`docker ps -a --filter label=...`). */
export async function containersWithLabels(labels: string[], options: { running?: boolean } = {}): Promise<string[]> {
  const args = ['ps', '--quiet', '--no-trunc', ...(options.running === true ? [] : ['--all'])];
  for (const label of labels) args.push('--filter', `label=${label}`);
  const { stdout } = await exec('docker', args);
  return stdout.split('\n').filter((line) => line.length > 0);
}
