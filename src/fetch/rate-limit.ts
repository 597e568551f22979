/**
 * A polite per-host rate limit: at least `minIntervalMs` between the starts of two requests to the
 * same host, whatever the fetcher's concurrency (Project Gutenberg's robot policy asks for a pause
 * between downloads; mirrors ask the same). Hosts without a limit pass straight through.
 * Memory: one timestamp per limited host.
 */
export class HostRateLimiter {
  private readonly intervals = new Map<string, number>();
  /** The earliest start time handed out per host (a queue, as a chain of reservations). */
  private readonly next = new Map<string, number>();

  constructor(private readonly now: () => number = () => Date.now()) {}

  /** Sets (or, with 0, removes) the minimum interval for a host name (`www.gutenberg.org`). */
  limit(host: string, minIntervalMs: number): void {
    if (minIntervalMs > 0) this.intervals.set(host.toLowerCase(), minIntervalMs);
    else this.intervals.delete(host.toLowerCase());
  }

  intervalFor(host: string): number {
    return this.intervals.get(host.toLowerCase()) ?? 0;
  }

  /** Reserves the next slot for `url`'s host and returns how long to wait for it (ms; 0 for now). */
  reserve(url: string): number {
    let host: string;
    try {
      host = new URL(url).host.toLowerCase();
    } catch {
      return 0;
    }
    const gap = this.intervals.get(host);
    if (!gap) return 0;
    const t = this.now();
    const slot = Math.max(t, this.next.get(host) ?? 0);
    this.next.set(host, slot + gap);
    return slot - t;
  }

  /** Resolves when a request to `url`'s host may start. */
  async wait(url: string): Promise<void> {
    const ms = this.reserve(url);
    if (ms > 0) await new Promise((r) => setTimeout(r, ms));
  }
}
