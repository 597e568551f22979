/**
 * Encode-ahead: the pipelining shared by `corpusmill count`/`tokenize` and the `tokenize` step. Each
 * pushed batch is packed and handed to the native addon's worker threads at once (one native call),
 * and its consumer (tally, shard writes) runs only after every earlier batch's consumer, so results
 * are consumed strictly in input order and never depend on the thread count. `push` returns once the
 * batch before it is consumed: the caller reads the next batch while this one encodes, and at most
 * two batches (one encoding, one being consumed) are held besides the one being read.
 */
import type { InputDoc } from './inputs.js';
import { packDocuments, type EncodeOptions, type Tokenizer } from './tokenizer.js';
import type { BatchResult } from './native.js';

/** Gets each batch in input order: its documents, their n+1 UTF-8 byte offsets, the native result. */
export type BatchConsumer = (docs: InputDoc[], byteOffsets: Float64Array, r: BatchResult) => Promise<void> | void;

export class EncodeAhead {
  private pending: Promise<void> | null = null;

  /** `idBytes` null: count tokens only (no ids kept); 2 or 4: ids as uint16 / uint32. */
  constructor(
    private readonly tok: Tokenizer,
    private readonly opts: EncodeOptions,
    private readonly idBytes: 2 | 4 | null,
    private readonly consume: BatchConsumer,
  ) {}

  /** Starts encoding `docs`; resolves when the previous batch is consumed (rejects with its error). */
  async push(docs: InputDoc[]): Promise<void> {
    const packed = packDocuments(docs.map((d) => d.text));
    const job = this.idBytes === null ? this.tok.countBatch(packed, this.opts) : this.tok.encodeBatch(packed, this.opts, this.idBytes);
    const prev = this.pending;
    const next = (async () => {
      const r = await job;
      if (prev) await prev;
      await this.consume(docs, packed.offsets, r);
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
