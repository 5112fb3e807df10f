// What the app holds outside React's renders: the token, the API client, the engine, the thumbnails.
import { ApiClient } from '../api/client';
import type { BackupEngine, Progress } from '../backup/engine';
import { FetchQueue } from '../library/fetchQueue';
import { PhotoCache } from '../library/photoCache';
import { openQueue } from '../platform/queueStore';
import { secrets } from '../platform/secrets';
import { cacheVariant } from '../platform/thumbs';
import { setBackgroundBackup } from './background';
import { forgetEngine, makeEngine, scanLibrary } from './backupRunner';
import { DEFAULT_SETTINGS, saveSettings, type Settings, TOKEN_KEY } from './settings';

export class AppCore {
  settings: Settings = DEFAULT_SETTINGS;
  readonly cache = new PhotoCache();
  readonly thumbs: FetchQueue<string>;
  readonly previews: FetchQueue<string>;
  private onUnauthorized: () => void = () => undefined;
  private onProgress: (p: Progress) => void = () => undefined;
  private token: string | null = null;
  private engine: BackupEngine | null = null;
  private client: ApiClient | null = null;
  private thumbUrls = new Map<string, string>();

  constructor() {
    this.thumbs = new FetchQueue<string>({
      load: async (id) => {
        const api = this.api;
        if (!api) throw new Error('no server');
        const known = this.thumbUrls.get(id);
        this.thumbUrls.delete(id); // presigned: a retry asks for a fresh one
        return cacheVariant(id, 'thumb', known ?? (await api.variantUrl(id, 'thumb')));
      },
    });
    this.previews = new FetchQueue<string>({
      concurrency: 2,
      load: async (id) => {
        const api = this.api;
        if (!api) throw new Error('no server');
        return cacheVariant(id, 'preview', await api.variantUrl(id, 'preview'));
      },
    });
  }

  /** The network came back: grey thumbnails and waiting uploads go now, not at their next backoff. */
  networkBack(): void {
    this.thumbs.retryNow();
    this.previews.retryNow();
    if (this.engine && !this.settings.paused) void this.engine.run();
  }

  /** At start: a backup that was running when the app was killed (or is pending) carries on. */
  async resumeOnStart(): Promise<void> {
    if (!this.settings.server || !this.token || this.settings.paused) return;
    const counts = await (await openQueue()).counts();
    if (counts.new + counts.hashed + counts.ready + counts.sent === 0) return;
    await this.startBackup();
  }

  /** The screens' callbacks: the session ended; the backup moved. */
  listen(onUnauthorized: () => void, onProgress: (p: Progress) => void): void {
    this.onUnauthorized = onUnauthorized;
    this.onProgress = onProgress;
  }

  get api(): ApiClient | null {
    if (!this.settings.server) return null;
    if (!this.client || this.client.baseUrl !== this.settings.server) {
      this.client = new ApiClient({
        baseUrl: this.settings.server,
        getToken: () => this.token,
        onUnauthorized: () => {
          this.engine?.pause();
          this.onUnauthorized();
        },
      });
    }
    return this.client;
  }

  async loadToken(): Promise<string | null> {
    this.token = await secrets.get(TOKEN_KEY);
    return this.token;
  }

  async setToken(token: string | null): Promise<void> {
    this.token = token;
    if (token) await secrets.set(TOKEN_KEY, token);
    else await secrets.remove(TOKEN_KEY);
  }

  async updateSettings(patch: Partial<Settings>): Promise<Settings> {
    this.settings = { ...this.settings, ...patch };
    await saveSettings(this.settings);
    if (patch.background !== undefined) await setBackgroundBackup(patch.background);
    return this.settings;
  }

  rememberThumbUrl(id: string, url: string | null | undefined): void {
    if (url) this.thumbUrls.set(id, url);
  }

  async startBackup(): Promise<void> {
    const api = this.api;
    if (!api) return;
    await this.updateSettings({ paused: false });
    this.engine ??= await makeEngine(api, () => this.settings, (p) => this.onProgress(p));
    await scanLibrary(this.settings);
    if (this.engine.isPaused) await this.engine.resume();
    else await this.engine.run();
  }

  pauseBackup(): void {
    this.engine?.pause();
    void this.updateSettings({ paused: true });
  }

  async retryFailed(): Promise<void> {
    await (await openQueue()).retryFailed(Date.now());
    await this.startBackup();
  }

  async signOut(): Promise<void> {
    this.engine?.pause();
    this.engine = null;
    forgetEngine();
    try {
      await this.api?.logout();
    } catch {
      // signed out on this phone either way
    }
    await this.setToken(null);
    await (await openQueue()).clear();
    await this.cache.clear();
    await this.updateSettings({ background: false });
  }
}
