// What each platform gives the app: the photos to back up, how to read them, how to send them.
import type { MediaReader } from '../backup/engine';
import type { AssetRef } from '../backup/queue';
import type { Putter } from '../backup/transport';

export interface DeviceAlbum {
  id: string;
  title: string;
}

export interface DeviceMedia extends MediaReader {
  /** `library`: the phone's photo library. `picker`: the web stand-in, files the user chooses. */
  kind: 'library' | 'picker';
  /** `limited`: the user let the app see only some photos (iOS 14+, Android 14+). */
  requestAccess(): Promise<'all' | 'limited' | 'none'>;
  /** Lets the user change which photos a limited access covers. */
  chooseMore?(): Promise<void>;
  albums(): Promise<DeviceAlbum[]>;
  /** Ids of the photos in the chosen albums (all when null): cheap, no file is opened. */
  assetIds(albumIds: string[] | null): Promise<string[]>;
  /** Name, size, type and time of these photos (the costly part of a scan). */
  describe(assetIds: string[]): Promise<AssetRef[]>;
  /** The picker only: asks the user for files; returns how many were chosen. */
  pick?(): Promise<number>;
  put: Putter;
}
