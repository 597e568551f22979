/**
 * Encode-ahead: the pipelining shared by `corpusmill count`/`tokenize` and the `tokenize` step. Each
 * pushed batch (already packed: texts in one buffer plus offsets) is handed to the native addon's
 * worker threads at once (one native call), and its consumer (tally, shard writes) runs only after
 * every earlier batch's consumer, so results are consumed strictly in input order and never depend on
 * the thread count. `push` returns once the batch before it is consumed: the caller reads the next
 * batch while this one encodes, and at most two batches (one encoding, one being consumed) are held
 * besides the one being read.
 */
import type { PackedDocs } from './inputs.js';
import type { EncodeOptions, Tokenizer } from './tokenizer.js';
import type { BatchResult } from './native.js';

/** Gets each batch in input order with the native result. */
export type BatchConsumer = (batch: PackedDocs, r: BatchResult) => Promise<void> | void;

export class EncodeAhead {
  private pending: Promise<void> | null = null;

  /** `idBytes` null: count tokens only (no ids kept); 2 or 4: ids as uint16 / uint32. */
  constructor(
    private readonly tok: Tokenizer,
    private readonly opts: EncodeOptions,
    private readonly idBytes: 2 | 4 | null,
    private readonly consume: BatchConsumer,
  ) {}

  /** Starts encoding `batch`; resolves when the previous batch is consumed (rejects with its error). */
  async push(batch: PackedDocs): Promise<void> {
    const job = this.idBytes === null ? this.tok.countBatch(batch, this.opts) : this.tok.encodeBatch(batch, this.opts, this.idBytes);
    const prev = this.pending;
    const next = (async () => {
      const r = await job;
      if (prev) await prev;
      await this.consume(batch, r);
    })();
    // Awaited by the next push or by finish(); until then a failure must not count as unhandled.
    next.catch(() => {});
    this.pending = next;
    if (prev) await prev;
  }

  /** Waits until every pushed batch is consumed. */
  async finish(): Promise<void> {
    const p = this.pending;
    this.pending = null;
    if (p) await p;
  }

  /**
   * Waits for work still in flight and ignores its outcome: after a failure or an early stop, so no
   * consumer writes to a file once its caller has given up (a retried task reopens the same paths).
   */
  async settle(): Promise<void> {
    await this.finish().catch(() => {});
  }
}
