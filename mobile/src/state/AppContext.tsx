// The app's state for the screens; the mutable parts live in AppCore.
import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { AppState as OsAppState } from 'react-native';

import { ApiClient, normalizeServer } from '../api/client';
import type { Session, User } from '../api/types';
import type { Progress } from '../backup/engine';
import type { FetchQueue } from '../library/fetchQueue';
import type { PhotoCache } from '../library/photoCache';
import { onNetworkBack } from '../platform/network';
import { AppCore } from './core';
import { DEFAULT_SETTINGS, loadSettings, type Settings } from './settings';

export interface AppState {
  ready: boolean;
  settings: Settings;
  updateSettings(patch: Partial<Settings>): Promise<void>;
  api: ApiClient | null;
  user: User | null;
  /** The server ended the session (401): sign in again; the pending list is kept. */
  sessionExpired: boolean;
  signIn(server: string, email: string, password: string): Promise<void>;
  register(server: string, email: string, password: string, name: string): Promise<void>;
  signOut(): Promise<void>;
  progress: Progress | null;
  startBackup(): Promise<void>;
  pauseBackup(): void;
  retryFailed(): Promise<void>;
  thumbs: FetchQueue<string>;
  previews: FetchQueue<string>;
  rememberThumbUrl(id: string, url: string | null | undefined): void;
  cache: PhotoCache;
}

const Ctx = createContext<AppState | null>(null);

export function useApp(): AppState {
  const value = useContext(Ctx);
  if (!value) throw new Error('useApp outside AppProvider');
  return value;
}

export function AppProvider({ children, core: given }: { children: ReactNode; core?: AppCore }) {
  const [core] = useState(() => given ?? new AppCore());
  const [ready, setReady] = useState(false);
  const [settings, setSettings] = useState<Settings>(DEFAULT_SETTINGS);
  const [user, setUser] = useState<User | null>(null);
  const [sessionExpired, setSessionExpired] = useState(false);
  const [progress, setProgress] = useState<Progress | null>(null);

  useEffect(() => {
    core.listen(() => setSessionExpired(true), setProgress);
    void (async () => {
      setSettings(await core.updateSettings(await loadSettings()));
      const token = await core.loadToken();
      const api = core.api;
      if (api && token) {
        try {
          setUser(await api.me());
        } catch (err) {
          if ((err as { status?: number }).status === 401) setSessionExpired(true);
          else setUser({ id: '', email: '', display_name: '', quota_bytes: 0, used_bytes: 0, created_at: '' });
        }
      }
      setReady(true);
      await core.resumeOnStart().catch(() => undefined);
    })();
    const offNetwork = onNetworkBack(() => core.networkBack());
    // Back in the foreground (a background run may have paused the engine at its time limit).
    const sub = OsAppState.addEventListener('change', (s) => {
      if (s === 'active') void core.resumeOnStart().catch(() => undefined);
    });
    return () => {
      offNetwork();
      sub.remove();
    };
  }, [core]);

  const updateSettings = useCallback(async (patch: Partial<Settings>) => setSettings(await core.updateSettings(patch)), [core]);

  const accept = useCallback(
    async (server: string, session: Session) => {
      await core.setToken(session.token);
      setSettings(await core.updateSettings({ server }));
      setUser(session.user);
      setSessionExpired(false);
    },
    [core],
  );

  const signIn = useCallback(
    async (server: string, email: string, password: string) => {
      const s = normalizeServer(server);
      await accept(s, await new ApiClient({ baseUrl: s, getToken: () => null }).login(email, password));
    },
    [accept],
  );

  const register = useCallback(
    async (server: string, email: string, password: string, name: string) => {
      const s = normalizeServer(server);
      await accept(s, await new ApiClient({ baseUrl: s, getToken: () => null }).register(email, password, name));
    },
    [accept],
  );

  const signOut = useCallback(async () => {
    await core.signOut();
    setSettings(core.settings);
    setUser(null);
    setProgress(null);
  }, [core]);

  const value: AppState = {
    ready,
    settings,
    updateSettings,
    api: settings.server ? core.api : null,
    user,
    sessionExpired,
    signIn,
    register,
    signOut,
    progress,
    startBackup: () => core.startBackup(),
    pauseBackup: () => core.pauseBackup(),
    retryFailed: () => core.retryFailed(),
    thumbs: core.thumbs,
    previews: core.previews,
    rememberThumbUrl: (id, url) => core.rememberThumbUrl(id, url),
    cache: core.cache,
  };
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}
