/**
 * Presigned S3 URLs (AWS Signature Version 4, query-string form) for arXiv's requester-pays bucket,
 * and the bucket manifest that lists the monthly source tars.
 *
 * Why our own signer (~30 lines of node:crypto) rather than @aws-sdk: the SDK is dozens of packages
 * for one HMAC chain, and the fetch layer must stay the one downloader (retries, Range resume,
 * checksums, cache). A presigned URL is a plain https URL valid for `expires` seconds (up to 7 days),
 * so the fetcher downloads it like any other; `x-amz-request-payer=requester` goes in the signed
 * query, which S3 accepts in place of the header. The signature follows
 * docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html and is tested against its
 * worked example.
 *
 * Why not aws4 either: fed the same canonical query (so the URL keeps the order AWS documents) it
 * gave the same URL on that example and on requester-pays, session-token, LIST-query and odd-key
 * cases, but 20,000 presigns took x0.82-x1.66 our time (median ~x1.1, same process, loaded
 * machine), and the query building and RFC 3986 encoding stay ours anyway: only the eight-line
 * HMAC chain would move into the package.
 *
 * Credentials come from params or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN
 * and are never logged; the fetcher caches by URL without the X-Amz-* signature parameters, so a
 * re-signed URL reuses a completed or partial download.
 */
import { createHash, createHmac } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import { ConfigError } from '../../core/errors.js';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface PresignOptions {
  method?: 'GET' | 'HEAD';
  bucket: string;
  /** Object key without a leading slash ('' for the bucket itself, e.g. a LIST). */
  key: string;
  region: string;
  credentials: AwsCredentials;
  /** Extra query parameters that are part of the request (signed), e.g. list-type, prefix. */
  query?: Record<string, string>;
  /** Seconds the URL stays valid (max 604800). */
  expires?: number;
  /** Signing time (tests pass a fixed one). */
  now?: Date;
  /** Endpoint host; default `<bucket>.s3.amazonaws.com` (virtual-hosted style). */
  host?: string;
  /** Adds `x-amz-request-payer=requester` (arXiv's bucket needs it). */
  requesterPays?: boolean;
}

/** RFC 3986 encoding as SigV4 wants it (unreserved characters kept, `/` kept in paths). */
function uriEncode(s: string, keepSlash: boolean): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(keepSlash ? /%2F/g : /$^/g, '/');
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
const sha256hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');

/** Returns a presigned https URL for one S3 request. */
export function presignS3(o: PresignOptions): string {
  const now = o.now ?? new Date();
  const amzDate = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, ''); // 20130524T000000Z
  const day = amzDate.slice(0, 8);
  const host = o.host ?? `${o.bucket}.s3.amazonaws.com`;
  const scope = `${day}/${o.region}/s3/aws4_request`;
  const params: Record<string, string> = {
    ...(o.query ?? {}),
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': `${o.credentials.accessKeyId}/${scope}`,
    'X-Amz-Date': amzDate,
    'X-Amz-Expires': String(o.expires ?? 86400),
    'X-Amz-SignedHeaders': 'host',
  };
  if (o.credentials.sessionToken) params['X-Amz-Security-Token'] = o.credentials.sessionToken;
  if (o.requesterPays) params['x-amz-request-payer'] = 'requester';
  const canonicalQuery = Object.keys(params)
    .map((k) => [uriEncode(k, false), uriEncode(params[k]!, false)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const path = `/${uriEncode(o.key, true)}`;
  const canonicalRequest = [o.method ?? 'GET', path, canonicalQuery, `host:${host}\n`, 'host', 'UNSIGNED-PAYLOAD'].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256hex(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${o.credentials.secretAccessKey}`, day);
  key = hmac(key, o.region);
  key = hmac(key, 's3');
  key = hmac(key, 'aws4_request');
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  return `https://${host}${path}?${canonicalQuery}&X-Amz-Signature=${signature}`;
}

/** Credentials from params, else the standard AWS environment variables. */
export function resolveCredentials(p: { access_key_id?: string; secret_access_key?: string; session_token?: string }): AwsCredentials {
  const accessKeyId = p.access_key_id ?? process.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = p.secret_access_key ?? process.env.AWS_SECRET_ACCESS_KEY;
  const sessionToken = p.session_token ?? process.env.AWS_SESSION_TOKEN;
  if (!accessKeyId || !secretAccessKey) {
    throw new ConfigError(
      'arxiv: reading s3://arxiv needs AWS credentials (requester pays): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or access_key_id / secret_access_key',
    );
  }
  return { accessKeyId, secretAccessKey, sessionToken: sessionToken || undefined };
}

export interface ManifestEntry {
  /** Key in the bucket, e.g. `src/arXiv_src_2301_001.tar`. */
  filename: string;
  size: number;
  md5: string;
  yymm: string;
  seq: number;
  numItems?: number;
}

/**
 * Parses `arXiv_src_manifest.xml`: `<arXivSRC><file><filename>…</filename><md5sum>…</md5sum>
 * <size>…</size><yymm>…</yymm><seq_num>…</seq_num><num_items>…</num_items>…</file>…</arXivSRC>`.
 * yymm is kept as text (`0001` stays `0001`).
 */
export function parseManifest(xml: string): ManifestEntry[] {
  const parser = new XMLParser({ parseTagValue: false, isArray: (name) => name === 'file' });
  const doc = parser.parse(xml) as { arXivSRC?: { file?: Array<Record<string, string>> } };
  const files = doc.arXivSRC?.file ?? [];
  return files.map((f) => ({
    filename: String(f.filename),
    size: Number(f.size),
    md5: String(f.md5sum),
    yymm: String(f.yymm).padStart(4, '0'),
    seq: Number(f.seq_num),
    numItems: f.num_items === undefined ? undefined : Number(f.num_items),
  }));
}
