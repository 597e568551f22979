/**
 * Loads a fastText supervised model (.bin or quantized .ftz) into the native addon and predicts
 * labels with fastText's exact arithmetic (native/text/fasttext.cc). Used by language id
 * (lid.176), the Wikipedia-reference classifier (RedPajama's wikiref model or one trained by
 * `corpusmill classifier train`, which writes the same format).
 *
 * A model is one object per worker thread: it keeps scratch buffers and a per-token feature cache,
 * so it is not shared between threads.
 */
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ConfigError, CorpusError } from '../core/errors.js';
import { textNative } from '../native/addons.js';

interface NativeModel {
  labels(): string[];
  info(): { dim: number; loss: number; wordNgrams: number; nwords: number };
  predict(texts: string[], k: number, threshold: number): Float64Array;
  features(text: string): Int32Array;
}
interface TextAddon {
  FastTextModel: new (bytes: Buffer) => NativeModel;
}

export interface Prediction {
  /** The label without fastText's `__label__` prefix. */
  label: string;
  /** fastText's probability (exp of the summed log scores), unrounded. */
  prob: number;
}

export const LABEL_PREFIX = '__label__';

export class FastTextClassifier {
  readonly path: string;
  private readonly model: NativeModel;
  private readonly labelNames: string[];

  private constructor(path: string, model: NativeModel) {
    this.path = path;
    this.model = model;
    this.labelNames = model.labels().map((l) => (l.startsWith(LABEL_PREFIX) ? l.slice(LABEL_PREFIX.length) : l));
  }

  static load(path: string): FastTextClassifier {
    if (!existsSync(path)) throw new ConfigError(`fastText model not found: ${path}`);
    const { FastTextModel } = textNative<TextAddon>();
    try {
      return new FastTextClassifier(path, new FastTextModel(readFileSync(path)));
    } catch (err) {
      throw new CorpusError(`cannot load fastText model: ${(err as Error).message}`, { file: path });
    }
  }

  get labels(): readonly string[] {
    return this.labelNames;
  }

  /**
   * Top-k labels of one line of text, best first, as `fasttext predict-prob` gives them. fastText
   * reads a single line: everything after the first '\n' is ignored, so callers join lines first.
   */
  predict(text: string, k = 1, threshold = 0): Prediction[] {
    return this.predictMany([text], k, threshold)[0]!;
  }

  predictMany(texts: string[], k = 1, threshold = 0): Prediction[][] {
    const raw = this.model.predict(texts, k, threshold);
    const out: Prediction[][] = [];
    for (let t = 0; t < texts.length; t++) {
      const preds: Prediction[] = [];
      for (let j = 0; j < k; j++) {
        const idx = raw[(t * k + j) * 2]!;
        if (idx < 0) break;
        preds.push({ label: this.labelNames[idx]!, prob: raw[(t * k + j) * 2 + 1]! });
      }
      out.push(preds);
    }
    return out;
  }

  /** The input-matrix rows fastText averages for this line (diagnostics and tests). */
  features(text: string): Int32Array {
    return this.model.features(text);
  }
}

/**
 * The lid.176.ftz model that ships inside the `fasttext.wasm.js` npm package (a dependency), so
 * language id works without a download. A user's `lid.176.bin` (126 MB, slightly more accurate)
 * loads the same way through the step's `model` parameter.
 */
export function bundledLidModelPath(): string {
  const require = createRequire(import.meta.url);
  let pkgDir: string;
  try {
    // The package's `exports` hide package.json, so walk up from its entry point.
    pkgDir = dirname(require.resolve('fasttext.wasm.js'));
    while (!existsSync(join(pkgDir, 'package.json')) && dirname(pkgDir) !== pkgDir) pkgDir = dirname(pkgDir);
  } catch {
    throw new ConfigError('the fasttext.wasm.js package (which ships lid.176.ftz) is not installed; run `npm install` or set `model:`');
  }
  const candidates = [join(pkgDir, 'dist/models/language-identification/assets/lid.176.ftz'), join(pkgDir, 'dist/fastText/models/lid.176.ftz')];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new ConfigError(`lid.176.ftz not found inside ${pkgDir}; set the step's \`model:\` parameter`);
  return found;
}
