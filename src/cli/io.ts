/** What a cpapi command reads and writes: its output streams, the environment, and a signal for Ctrl+C. */
export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}
