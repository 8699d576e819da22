/** The message of anything thrown. */
export function messageOf(error: unknown): string {
  // Duck-typed: errors from native modules or other realms may not be instances of this Error.
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}
