/** What a cpapi command reads and writes: its output streams, the environment, and a signal for Ctrl+C. */
export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Writes bytes as they are, bypassing `out`'s neutralizing: `call --raw` when stdout is not a terminal. */
  exact?: (s: string) => void;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}
