/**
 * Which member of a duplicate cluster survives, and how dedup state files are named per task.
 */
/**
 * The survivor rule shared by exact and near dedup: the lowest (source, id). Ids compare in natural
 * order (digit runs as numbers), so within one input the earliest record wins: provenance ids end in
 * the record index or byte offset (`c4/file.json/5` < `c4/file.json/100`). It depends only on the
 * documents, never on task order or worker count, so reruns keep the same one.
 */
export function compareSourceId(a: { source: string; id: string }, b: { source: string; id: string }): number {
  if (a.source !== b.source) return a.source < b.source ? -1 : 1;
  return compareNatural(a.id, b.id);
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/** Natural order: digit runs compare by value, other characters by code unit; ties fall back to plain order. */
export function compareNatural(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    if (isDigit(ca) && isDigit(cb)) {
      let ei = i;
      let ej = j;
      while (ei < a.length && isDigit(a.charCodeAt(ei))) ei++;
      while (ej < b.length && isDigit(b.charCodeAt(ej))) ej++;
      let si = i;
      let sj = j;
      while (si < ei - 1 && a.charCodeAt(si) === 48) si++;
      while (sj < ej - 1 && b.charCodeAt(sj) === 48) sj++;
      if (ei - si !== ej - sj) return ei - si < ej - sj ? -1 : 1;
      for (let k = 0; k < ei - si; k++) {
        const d = a.charCodeAt(si + k) - b.charCodeAt(sj + k);
        if (d !== 0) return d < 0 ? -1 : 1;
      }
      i = ei;
      j = ej;
      continue;
    }
    if (ca !== cb) return ca < cb ? -1 : 1;
    i++;
    j++;
  }
  if (a.length - i !== b.length - j) return a.length - i < b.length - j ? -1 : 1;
  return a === b ? 0 : a < b ? -1 : 1;
}

/** Rank of the task, zero-padded so file names sort in task order. */
export function rankName(rank: number): string {
  return String(rank).padStart(5, '0');
}
