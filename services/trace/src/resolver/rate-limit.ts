// A token bucket per client IP, in memory: enough to keep one client from hammering the public
// resolver. Not shared between processes (each replica limits on its own).

export interface RateLimitOptions {
  /** Requests a client may make in a burst. */
  burst: number;
  /** Tokens added per second. */
  perSecond: number;
  /** Buckets kept at most (the oldest are dropped first). */
  maxClients?: number;
  now?: () => number;
}

export class TokenBuckets {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly opts: RateLimitOptions) {}

  /** Takes a token for `client`: 0 if allowed, else the seconds until one is available. */
  take(client: string): number {
    const now = (this.opts.now ?? Date.now)();
    const b = this.#buckets.get(client);
    const tokens = b ? Math.min(this.opts.burst, b.tokens + ((now - b.at) / 1000) * this.opts.perSecond) : this.opts.burst;
    if (b) this.#buckets.delete(client);
    else if (this.#buckets.size >= (this.opts.maxClients ?? 100_000)) this.#buckets.delete(this.#buckets.keys().next().value!);
    if (tokens >= 1) {
      this.#buckets.set(client, { tokens: tokens - 1, at: now });
      return 0;
    }
    this.#buckets.set(client, { tokens, at: now });
    return Math.max(1, Math.ceil((1 - tokens) / this.opts.perSecond));
  }
}
