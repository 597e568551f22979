/**
 * NumPy `.npy` version 1.0 headers (numpy/lib/format.py): magic "\x93NUMPY", version 1 0, u16 header
 * length, then a Python dict literal padded with spaces and ending in "\n" so the data starts at a
 * multiple of 64 bytes. Token shards are 1-D arrays; the offsets file is int64 document boundaries;
 * SFT shards add a uint8 loss mask (1-D) and int64 example spans (2-D, `(n, 2)`).
 */
export type NpyDtype = '<u2' | '<i4' | '<i8' | '|u1';

/** Fixed header size we reserve so the shape can be filled in after streaming the data. */
export const NPY_HEADER_BYTES = 128;

/** The header of an array of `shape` (a number: 1-D of that length). */
export function npyHeader(dtype: NpyDtype, shape: number | readonly number[]): Buffer {
  const dims = typeof shape === 'number' ? [shape] : shape;
  const tuple = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  const dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${tuple}, }`;
  const head = Buffer.alloc(NPY_HEADER_BYTES, 0x20);
  Buffer.from('\x93NUMPY', 'latin1').copy(head, 0);
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(NPY_HEADER_BYTES - 10, 8);
  if (10 + dict.length + 1 > NPY_HEADER_BYTES) throw new Error('npy header too long');
  head.write(dict, 10, 'latin1');
  head[NPY_HEADER_BYTES - 1] = 0x0a;
  return head;
}

export interface NpyArrayInfo {
  dtype: NpyDtype;
  /** Number of elements (the product of the shape). */
  length: number;
  shape: number[];
  dataOffset: number;
}

/** Parses a little-endian, C-order .npy header (ours or numpy's). */
export function readNpyHeader(buf: Buffer, label: string): NpyArrayInfo {
  if (buf.length < 10 || buf.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${label}: not a .npy file`);
  const major = buf[6]!;
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const dict = buf.toString('latin1', start, start + hlen);
  const descr = /'descr':\s*'([^']+)'/.exec(dict)?.[1];
  const tuple = /'shape':\s*\(([\d,\s]*)\)/.exec(dict)?.[1];
  const shape = tuple
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (!descr || !['<u2', '<i4', '<i8', '|u1'].includes(descr) || !shape || shape.length === 0 || /'fortran_order':\s*True/.test(dict))
    throw new Error(`${label}: unsupported npy header ${dict.trim()}`);
  return { dtype: descr as NpyDtype, length: shape.reduce((a, b) => a * b, 1), shape, dataOffset: start + hlen };
}
