/** The languages "Copy as" writes a call in (codegen.ts), named as a menu shows them. */
export type Language = 'curl' | 'perl' | 'php' | 'python' | 'node';
export const LANGUAGES: readonly Language[] = ['curl', 'perl', 'php', 'python', 'node'];
export const LANGUAGE_NAMES: Record<Language, string> = {
  curl: 'curl',
  perl: 'Perl (LWP)',
  php: 'PHP (curl)',
  python: 'Python (requests)',
  node: 'Node (undici)',
};
