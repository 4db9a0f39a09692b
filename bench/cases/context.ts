export interface BenchContext {
  reps: number;
  log: (line: string) => void;
}
