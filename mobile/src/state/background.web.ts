// A browser tab runs no background tasks: backup runs while the page is open.
export const BACKUP_TASK = 'auroravault-backup';

export async function setBackgroundBackup(_on: boolean): Promise<void> {}
