import type { SyncEntry } from './sync-messages.js';

/** Links followed while resolving one path, at most: as the kernel's ELOOP limit. */
const MAX_LINKS_FOLLOWED = 40;

type Resolution = { ok: true; components: string[] } | { ok: false; why: 'escapes' | 'loops' };

/**
 * Resolves `components` from the tree's root the way the kernel would, expanding every symlink of the tree met
 * on the way (so `d/up -> ..` followed by `d/up/..` climbs above the root), without touching any disk.
 */
function resolve(components: readonly string[], links: ReadonlyMap<string, string>, followed: number): Resolution {
  const stack: string[] = [];
  for (const component of components) {
    if (component === '' || component === '.') continue;
    if (component === '..') {
      if (stack.length === 0) return { ok: false, why: 'escapes' };
      stack.pop();
      continue;
    }
    const candidate = [...stack, component].join('/');
    const target = links.get(candidate);
    if (target === undefined) {
      stack.push(component);
      continue;
    }
    if (target.startsWith('/')) return { ok: false, why: 'escapes' };
    if (followed >= MAX_LINKS_FOLLOWED) return { ok: false, why: 'loops' };
    const resolved = resolve([...stack, ...target.split('/')], links, followed + 1);
    if (!resolved.ok) return resolved;
    stack.splice(0, stack.length, ...resolved.components);
  }
  return { ok: true, components: stack };
}

/**
 * What is wrong with a tree's symlinks taken together, entry by entry: a link whose chain of links leads out of
 * the tree or loops, and an entry that lies under a symlink (unpacking it would write through the link). A check
 * of each link alone (`symlinkInsideTree`) cannot see a chain.
 */
export function symlinkChainProblems(entries: readonly SyncEntry[]): { path: string; problem: string }[] {
  const links = new Map<string, string>();
  for (const entry of entries) if (entry.kind === 'symlink') links.set(entry.path, entry.target);
  const problems: { path: string; problem: string }[] = [];
  for (const entry of entries) {
    const parts = entry.path.split('/');
    const under = parts
      .slice(0, -1)
      .map((_, i) => parts.slice(0, i + 1).join('/'))
      .find((prefix) => links.has(prefix));
    if (under !== undefined) {
      problems.push({ path: entry.path, problem: `lies under the symlink '${under}'` });
      continue;
    }
    if (entry.kind !== 'symlink') continue;
    const resolved = resolve(parts, links, 0);
    if (!resolved.ok) {
      problems.push({
        path: entry.path,
        problem:
          resolved.why === 'escapes'
            ? `is a symlink (-> ${entry.target}) whose chain of links leads outside the tree`
            : `is a symlink (-> ${entry.target}) in a loop of links`,
      });
    }
  }
  return problems;
}
