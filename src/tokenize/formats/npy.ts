/**
 * NumPy `.npy` version 1.0 headers (numpy/lib/format.py): magic "\x93NUMPY", version 1 0, u16 header
 * length, then a Python dict literal padded with spaces and ending in "\n" so the data starts at a
 * multiple of 64 bytes. Token shards are 1-D arrays; the offsets file is int64 document boundaries.
 */
export type NpyDtype = '<u2' | '<i4' | '<i8';

/** Fixed header size we reserve so the shape can be filled in after streaming the data. */
export const NPY_HEADER_BYTES = 128;

export function npyHeader(dtype: NpyDtype, length: number): Buffer {
  const dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': (${length},), }`;
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
  length: number;
  dataOffset: number;
}

/** Parses a 1-D little-endian .npy header (ours or numpy's). */
export function readNpyHeader(buf: Buffer, label: string): NpyArrayInfo {
  if (buf.length < 10 || buf.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${label}: not a .npy file`);
  const major = buf[6]!;
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const dict = buf.toString('latin1', start, start + hlen);
  const descr = /'descr':\s*'([^']+)'/.exec(dict)?.[1];
  const shape = /'shape':\s*\((\d+),?\)/.exec(dict)?.[1];
  if (!descr || !['<u2', '<i4', '<i8'].includes(descr) || shape === undefined) throw new Error(`${label}: unsupported npy header ${dict.trim()}`);
  return { dtype: descr as NpyDtype, length: Number(shape), dataOffset: start + hlen };
}
