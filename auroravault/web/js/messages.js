// Human words for the contract's stable error codes. The server's `detail` is used when
// it says something more specific than we can (e.g. the password rules).

function wait(seconds) {
  if (seconds == null) return 'a little while';
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} seconds`;
  const minutes = Math.round(seconds / 60);
  return minutes === 1 ? 'a minute' : `${minutes} minutes`;
}

const MESSAGES = {
  network_error: () => "Can't reach the server. Check your connection and try again.",
  invalid_credentials: () => 'Wrong email or password.',
  too_many_attempts: (e) => `Too many failed attempts. Try again in ${wait(e.retryAfter)}.`,
  registration_closed: () =>
    'Registration is closed on this server. Ask the person who runs it to create an account for you.',
  email_taken: () => 'There is already an account with this email. Log in instead.',
  invalid_email: () => "That doesn't look like an email address.",
  weak_password: (e) => e.detail || 'Choose a longer password.',
  invalid_display_name: (e) => e.detail || 'Please give a name.',
  invalid_token: () => 'Your session has ended. Please log in again.',
  invalid_reset_token: () => 'This reset link is unknown, used or expired. Ask for a new one.',
  unauthorized: () => 'Please log in.',
  quota_exceeded: () => 'Your storage is full: this would go over your quota.',
  file_empty: () => 'The file is empty.',
  file_too_large: (e) => e.detail || 'The file is too large.',
  unsupported_media_type: () => 'Not a supported photo or video type.',
  not_a_photo: () => 'Not a photo: its content is not JPEG, PNG, HEIC, WebP, GIF, TIFF, AVIF, MP4 or MOV, whatever its name.',
  invalid_filename: () => 'The file name is not usable.',
  size_mismatch: () => 'The file changed while it was being sent.',
  checksum_mismatch: () => 'The file changed while it was being sent.',
  url_expired: () => 'The upload link expired.',
  signature_invalid: () => 'The upload link was refused.',
  meta_unavailable: () => 'The server is busy. Retrying shortly.',
  storage_unavailable: () => 'The storage is unavailable. Retrying shortly.',
  photo_not_found: () => 'This photo no longer exists.',
  variant_not_ready: () => 'This photo is still being processed.',
  unreadable: () => 'The file could not be read from this device.',
  gave_up: () => 'Gave up after repeated failures.',
  // families
  family_not_found: () => 'You are not in a family.',
  already_in_family: () => 'You are already in a family: leave it first to join another.',
  already_member: () => 'This person is already in your family.',
  already_invited: () => 'This email already has a pending invitation.',
  invite_not_found: () => 'This invitation is unknown, already used or revoked. Ask for a new one.',
  invite_expired: () => 'This invitation has expired. Ask for a new one.',
  owner_cannot_leave: () => 'The owner cannot leave the family.',
  family_not_empty: () => 'Remove the other members before deleting the family.',
  too_many_invites: () => 'Your family sent as many invitations as it may today. Try again tomorrow.',
  invalid_family_name: (e) => e.detail || 'Please give the family a name.',
  invalid_quota: () => 'That is not a usable storage limit.',
  invalid_role: (e) => e.detail || 'That role does not exist.',
  not_allowed: (e) => e.detail || 'You are not allowed to do this.',
  // Accounts (settings.js).
  account_disabled: () => "This account is disabled. Ask the person who runs this server.",
  last_admin: () => 'This is the last admin: make someone else an admin first.',
  session_not_found: () => 'That session has already ended.',
  user_not_found: () => 'This account no longer exists.',
  admin_only: () => 'Only an admin may do this.',
};

export function describe(error) {
  if (!error) return '';
  const make = MESSAGES[error.code];
  if (make) return make(error);
  return error.detail || error.message || error.code || 'Something went wrong.';
}

// A photo that failed processing on the server: {code, detail}.
export function describeFailure(info) {
  if (!info) return 'Processing failed.';
  const known = {
    unsupported_format: 'This file is not an image the server can read.',
    corrupt_image: 'The image is damaged or incomplete.',
    image_too_large: 'The image is too large to process.',
    corrupt_video: 'The video is damaged or incomplete.',
    video_too_large: 'The video frames are too large to process.',
    video_unreadable: 'The video could not be read in time.',
  }[info.code];
  return known || info.detail || info.code || 'Processing failed.';
}

// A photo that is ready but damaged: {code, detail}. What decoded is shown; the original is kept.
export function describeDamage(info) {
  if (!info) return '';
  const known = {
    truncated: 'The file is incomplete: only the part of the photo it holds can be shown.',
  }[info.code];
  return known || info.detail || 'The file is damaged.';
}
