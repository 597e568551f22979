/**
 * The document every stage passes along, and its on-disk form.
 *
 * On disk a document is one RedPajama-compatible JSON line with the keys in the order
 * `text, meta, id, source` (see the README, "Conventions"). `id` is derived from provenance
 * (`<source>/<input file>/<record index or byte offset>`) so any output document leads back to
 * the raw record it came from, and a rerun gives the same id.
 */

type Meta = Record<string, unknown>;

export interface Doc {
  id: string;
  text: string;
  /** The corpus source (commoncrawl, c4, github, wikipedia, books, arxiv, stackexchange); free-form for user inputs. */
  source: string;
  meta: Meta;
}

/** Serialises a document as one JSON line (no trailing newline), keys in RedPajama order. */
export function docToJson(doc: Doc): string {
  const raw = rawMeta.get(doc);
  if (raw !== undefined) return `{"text":${JSON.stringify(doc.text)},"meta":${raw.toString('utf8')},"id":${JSON.stringify(doc.id)},"source":${JSON.stringify(doc.source)}}`;
  return JSON.stringify({ text: doc.text, meta: doc.meta, id: doc.id, source: doc.source });
}

/** The JSON of a lazy document's meta while nobody has read it (see lazyMetaDoc). */
const rawMeta = new WeakMap<Doc, Buffer>();

/**
 * A document read from our own shards whose meta stays JSON bytes until a step reads it: most steps
 * read only the text (dedup scans, tokenizers), and meta is often larger than the text (quality
 * signals). Written unread, the bytes go out as they came in: the same bytes JSON.stringify gives,
 * since they are JSON.stringify's output. `bad` reports meta that turns out not to be JSON.
 */
export function lazyMetaDoc(id: string, text: string, source: string, metaJson: Buffer, bad: (e: unknown) => never): Doc {
  let meta: Meta | undefined;
  const doc = { id, text, source } as Doc;
  Object.defineProperty(doc, 'meta', {
    enumerable: true,
    configurable: true,
    get(): Meta {
      if (meta === undefined) {
        rawMeta.delete(doc);
        try {
          meta = JSON.parse(metaJson.toString('utf8')) as Meta;
        } catch (e) {
          bad(e);
        }
      }
      return meta!;
    },
    set(v: Meta) {
      rawMeta.delete(doc);
      meta = v;
    },
  });
  rawMeta.set(doc, metaJson);
  return doc;
}

/**
 * Reads a document from a parsed JSON object. Accepts RedPajama (`meta`), dolma (`metadata`) and bare
 * `{text}` records; `fallbackId` names the record when it carries no id of its own.
 */
export function docFromJson(value: unknown, fallbackId: string, fallbackSource: string): Doc {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError('expected a JSON object');
  }
  const o = value as Record<string, unknown>;
  if (typeof o.text !== 'string') throw new TypeError('expected a string "text" field');
  const metaRaw = o.meta ?? o.metadata;
  const meta: Meta = metaRaw && typeof metaRaw === 'object' && !Array.isArray(metaRaw) ? { ...(metaRaw as Meta) } : {};
  const id = typeof o.id === 'string' || typeof o.id === 'number' ? String(o.id) : fallbackId;
  const source = typeof o.source === 'string' ? o.source : fallbackSource;
  return { id, text: o.text, source, meta };
}

/** Builds a provenance id: `<source>/<input name>/<record>`. */
export function provenanceId(source: string, inputName: string, record: number | string): string {
  return `${source}/${inputName}/${record}`;
}
