// Manual mock: files are bytes in a map; uploads go to a handler the test sets.
export const files = new Map<string, Uint8Array>();
export const uploads: { handler: (uri: string, url: string, headers: Record<string, string>) => Promise<{ status: number; body: string }> } = {
  handler: async () => ({ status: 200, body: '' }),
};
export const downloads: { handler: (url: string) => Promise<Uint8Array> } = {
  handler: async () => new Uint8Array([1, 2, 3]),
};

export enum UploadType {
  BINARY_CONTENT = 0,
  MULTIPART = 1,
}

export class Directory {
  uri: string;
  constructor(...parts: (string | Directory)[]) {
    this.uri = parts.map((p) => (typeof p === 'string' ? p : p.uri)).join('/');
  }
  get exists() {
    return true;
  }
  create() {}
}

export const Paths = { cache: new Directory('file:///cache') };

export class File {
  uri: string;
  constructor(...parts: (string | Directory | File)[]) {
    this.uri = parts.map((p) => (typeof p === 'string' ? p : p.uri)).join('/');
  }
  get exists() {
    return files.has(this.uri);
  }
  get size() {
    return files.get(this.uri)?.length ?? 0;
  }
  open() {
    const data = files.get(this.uri);
    if (!data) throw new Error(`no file ${this.uri}`);
    let offset = 0;
    return {
      readBytes(n: number) {
        const chunk = data.slice(offset, offset + n);
        offset += chunk.length;
        return chunk;
      },
      close() {},
      offset,
      size: data.length,
    };
  }
  createUploadTask(url: string, options: { headers?: Record<string, string> }) {
    return {
      uploadAsync: async () => ({ ...(await uploads.handler(this.uri, url, options.headers ?? {})), headers: {} }),
    };
  }
  static async downloadFileAsync(url: string, destination: File) {
    files.set(destination.uri, await downloads.handler(url));
    return destination;
  }
}
