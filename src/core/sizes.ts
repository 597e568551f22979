/** Byte sizes in configuration files. */
import { z } from 'zod';

/** Sizes as numbers of bytes or strings like "64MiB", "1.5GB", "512k". */
export const byteSize = z.union([
  z.number().int().positive(),
  z.string().transform((s, ctx) => {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)\s*$/i.exec(s);
    if (!m) {
      ctx.addIssue({ code: 'custom', message: `expected a size like 64MiB, got "${s}"` });
      return z.NEVER;
    }
    const unit = m[2]!.toLowerCase();
    const base = m[3]!.toLowerCase().startsWith('i') || unit === '' ? 1024 : 1000;
    const pow = { '': 0, k: 1, m: 2, g: 3, t: 4 }[unit] ?? 0;
    return Math.round(Number(m[1]) * base ** pow);
  }),
]);
