/** The application servers a pod has, by name: what `--apps` chooses from. apps/index.ts holds them. */
export const appNames = ['directory', 'presence', 'im', 'files', 'announcements', 'rooms'] as const;
