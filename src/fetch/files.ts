/** What the fetch layer downloads (a remote file a source names) and what it hands back (the local copy). */

export interface RemoteFile {
  url: string;
  /** Name used in document ids: the file's path below the source's base URL, stable across mirrors. */
  name: string;
  size?: number;
  sha256?: string;
  sha1?: string;
  md5?: string;
}

export interface LocalFile extends RemoteFile {
  path: string;
  size: number;
}
