/** Bring your own data: Parquet tables (Hugging Face datasets exports). */
import { parquetSource } from './source.js';

export const sources = [parquetSource];
