/** One line of bench/RESULTS.md: Baleen against one alternative (or against a goal when there is none). */
export interface ResultRow {
  case: string;
  baleen: string;
  alternative: string;
  other: string;
  /** Baleen / alternative, the number a goal is about. */
  ratio: number | undefined;
  goal: string;
  met: boolean | undefined;
  /** Baleen's start-up and run per file, medians from its `--json` (container start to testRunStarted, then to the end). */
  startup?: string;
}

export interface CaseResult {
  rows: ResultRow[];
  /** Free text under the table: what was measured and how. */
  notes: string[];
}

export function ratioRow(
  caseName: string,
  baleenMs: number,
  alternative: string,
  otherMs: number,
  goal?: { max: number },
): ResultRow {
  const ratio = baleenMs / otherMs;
  return {
    case: caseName,
    baleen: `${(baleenMs / 1000).toFixed(2)} s`,
    alternative,
    other: `${(otherMs / 1000).toFixed(2)} s`,
    ratio,
    goal: goal === undefined ? '—' : `≤ ${goal.max.toFixed(2)}x`,
    met: goal === undefined ? undefined : ratio <= goal.max,
  };
}

export function renderResults(
  date: string,
  machine: string,
  reps: number,
  results: { name: string; result: CaseResult }[],
  history: string,
): string {
  const lines = [
    '# Baleen benchmarks',
    '',
    `${date} · ${machine} · ${reps} repetitions per variant, interleaved; medians.`,
    '',
    'Written by `npm run bench` (see bench/README.md). Every number is measured in the same run as what it is',
    'compared with; ratios are Baleen / alternative (below 1 means Baleen is faster). The last column is, where the',
    'case records it, the median over files of start-up (container start to cucumber’s testRunStarted) · run, from',
    'Baleen’s `--json`, and how many containers the run used.',
    '',
    '| case | Baleen | alternative | alternative time | ratio | goal | met | Baleen start-up · run per file |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const { result } of results) {
    for (const row of result.rows) {
      const ratio = row.ratio === undefined ? '—' : `${row.ratio.toFixed(2)}x`;
      const met = row.met === undefined ? '—' : row.met ? 'yes' : '**no**';
      lines.push(
        `| ${row.case} | ${row.baleen} | ${row.alternative} | ${row.other} | ${ratio} | ${row.goal} | ${met} | ${row.startup ?? '—'} |`,
      );
    }
  }
  lines.push('');
  for (const { name, result } of results) {
    if (result.notes.length === 0) continue;
    lines.push(`**${name}**`, '', ...result.notes.map((note) => `- ${note}`), '');
  }
  if (history.trim() !== '') lines.push(history.trim(), '');
  return lines.join('\n');
}

/** A figure with a goal but no alternative (memory, event-loop delay). */
export function goalRow(caseName: string, what: string, value: number, unit: string, max: number): ResultRow {
  return {
    case: caseName,
    baleen: `${value.toFixed(1)} ${unit}`,
    alternative: what,
    other: '—',
    ratio: undefined,
    goal: `< ${max} ${unit}`,
    met: value < max,
  };
}
