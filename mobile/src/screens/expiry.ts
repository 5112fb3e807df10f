// A share link's expiry as the forms type it: days from now.

/** `days` from now as the contract's ISO time, or undefined for a link that never expires. */
export function expiryFrom(days: string, now: number = Date.now()): string | undefined {
  const n = Number(days.trim());
  if (!days.trim() || !Number.isFinite(n) || n <= 0) return undefined;
  return new Date(now + n * 86_400_000).toISOString();
}
