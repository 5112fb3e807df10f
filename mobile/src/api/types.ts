// The wire shapes of the AuroraVault HTTP contract (v1) that the app uses. See DESIGN.md.

export interface User {
  id: string;
  email: string;
  display_name: string;
  is_admin?: boolean;
  quota_bytes: number;
  used_bytes: number;
  created_at: string;
}

export interface Session {
  token: string;
  expires_at: string;
  user: User;
}

export interface FileSpec {
  filename: string;
  size: number;
  content_type: string;
  sha256: string;
  client_ref?: string;
  /** The library issue: becomes `taken_at` when the file has no capture date (servers before it ignore it). */
  file_modified_at?: string;
}

export interface PresignedRequest {
  method: 'PUT';
  url: string;
  headers: Record<string, string>;
}

export interface InitItem {
  index: number;
  client_ref: string | null;
  photo_id: string;
  status: 'upload' | 'duplicate';
  upload_id?: string;
  upload?: PresignedRequest;
}

export interface InitResult {
  batch_id: string;
  expires_at: string;
  items: InitItem[];
}

export interface UploadItem {
  upload_id: string;
  index: number;
  client_ref: string | null;
  photo_id: string;
  filename: string;
  size: number;
  sha256: string;
  status: string; // processing | pending | rejected | ...
  reason?: string;
}

/** `POST /uploads/check`. `trashed` and `deleted` come with the library issue: absent means empty. */
export interface CheckResult {
  existing: Record<string, string>;
  missing: string[];
  trashed: Record<string, string>;
  deleted: string[];
}

export interface Photo {
  id: string;
  status: 'pending' | 'processing' | 'ready' | 'failed';
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  width: number | null;
  height: number | null;
  taken_at: string;
  camera?: { make: string | null; model: string | null; lens: string | null };
  location?: { lat: number; lon: number; alt: number | null } | null;
  place?: { city?: string | null; region?: string | null; country?: string | null } | null;
  thumbhash?: string | null;
  thumb_url?: string | null;
  favorite?: boolean;
  error?: { code: string; detail: string | null } | null;
}

export interface PhotoPage {
  items: Photo[];
  next_cursor: string | null;
}

export interface SyncChanges {
  changed: Photo[];
  deleted: string[];
  next: string;
  /** Another page waits: call again with `next` at once. */
  more?: boolean;
}

/** An album as `GET /albums` and `POST /albums` give it (DESIGN.md "Albums"); `role` is the caller's. */
export interface Album {
  id: string;
  name: string;
  description: string | null;
  owner: { id: string; display_name: string };
  role: 'owner' | 'admin' | 'contributor' | 'viewer';
  cover_photo_id: string | null;
  cover_thumb_url: string | null;
  photo_count: number;
  start_at: string | null;
  end_at: string | null;
  shared: boolean;
}

export interface AlbumPage {
  items: Album[];
  next_cursor: string | null;
}

/** `POST /albums/{id}/photos`: what was added, what was there already, and what was refused (with its code). */
export interface AlbumAdded {
  added: string[];
  already: string[];
  errors: { id: string; code: string }[];
}

export type MemberRole = 'admin' | 'contributor' | 'viewer';

/** Someone an album is shared with (`GET /albums/{id}/members`). */
export interface AlbumMember {
  user: { id: string; display_name: string };
  role: MemberRole;
}

/** A pending invitation into my family (the owner alone sees them). */
export interface FamilyInvite {
  id: string;
  email: string;
  role: string;
  expires_at: string;
}

/** `GET /family`: its members (whom a user can share with by id), the caller's role, pending invites. */
export interface Family {
  id: string;
  name: string;
  owner_id?: string;
  /** The caller's: `owner` or `member`. */
  role?: string;
  members: { user: { id: string; display_name: string; email: string }; role: string; used_bytes?: number }[];
  invites?: FamilyInvite[];
}

/** `GET /partners`: whose libraries I see, and who sees mine. */
export interface Partners {
  shared_with_me: { user: { id: string; display_name: string }; in_timeline: boolean }[];
  shared_by_me: { user: { id: string; display_name: string } }[];
}

/** A share link (`POST /links`, `GET /links`). */
export interface ShareLink {
  id: string;
  key: string;
  url: string;
  kind: string;
  album_id: string | null;
  expires_at: string | null;
  expired: boolean;
  has_password: boolean;
  allow_download: boolean;
  allow_upload?: boolean;
  show_metadata?: boolean;
}

/** `PATCH /links/{id}`: an absent field stays; null clears the expiry or the password. */
export interface LinkEdit {
  expires_at?: string | null;
  password?: string | null;
  allow_download?: boolean;
  allow_upload?: boolean;
  show_metadata?: boolean;
}

export interface NewLink {
  album_id: string;
  expires_at?: string;
  password?: string;
  allow_download: boolean;
}

/** What `GET /search` filters by; every field optional (DESIGN.md "Search"). */
export interface SearchQuery {
  q?: string;
  /** YYYY-MM-DD (or ISO datetime), inclusive. */
  from?: string;
  to?: string;
  camera?: string;
  city?: string;
  country?: string;
  favorite?: boolean;
  type?: '' | 'image' | 'video';
}

/** One row of `GET /places`: a city (or a country without one) with its count and newest photo. */
export interface Place {
  country: string | null;
  country_code: string | null;
  region: string | null;
  city: string | null;
  count: number;
  cover_photo_id: string;
}
