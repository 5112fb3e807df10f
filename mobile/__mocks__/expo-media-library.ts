// Manual mock: a photo library the tests fill with albums of in-memory photos.
export enum MediaType {
  UNKNOWN = 'unknown',
  IMAGE = 'image',
  AUDIO = 'audio',
  VIDEO = 'video',
}

interface FakeAsset {
  id: string;
  filename: string;
  uri: string;
  mediaType: MediaType;
  modificationTime: number;
}

export const library: { granted: boolean; limited: boolean; pickerShown: number; albums: { id: string; title: string; assets: FakeAsset[] }[] } = {
  granted: true,
  limited: false,
  pickerShown: 0,
  albums: [],
};

/** How many times an asset was described (getInfo), the costly call of a scan. */
export const calls = { getInfo: 0 };

export async function requestPermissionsAsync() {
  const accessPrivileges = !library.granted ? 'none' : library.limited ? 'limited' : 'all';
  return { granted: library.granted, status: library.granted ? 'granted' : 'denied', accessPrivileges };
}

export async function presentPermissionsPicker() {
  library.pickerShown += 1;
}

export class Asset {
  constructor(public id: string) {}
  async getInfo() {
    calls.getInfo += 1;
    const found = library.albums.flatMap((a) => a.assets).find((a) => a.id === this.id);
    if (!found) throw new Error(`no asset ${this.id}`);
    return { ...found, width: 1, height: 1, duration: null, creationTime: found.modificationTime, isFavorite: false };
  }
}

export class Album {
  constructor(public id: string) {}
  async getTitle() {
    return library.albums.find((a) => a.id === this.id)?.title ?? '';
  }
  static async getAll() {
    return library.albums.map((a) => new Album(a.id));
  }
}

export class Query {
  private albumId: string | null = null;
  album(album: Album) {
    this.albumId = album.id;
    return this;
  }
  async exe() {
    const albums = this.albumId ? library.albums.filter((a) => a.id === this.albumId) : library.albums;
    return albums.flatMap((a) => a.assets).map((a) => new Asset(a.id));
  }
}
