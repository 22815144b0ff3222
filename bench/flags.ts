/**
 * A benchmark's flags, parsed; or, when they are bad or ask for help, the exit code to end
 * with once the error (and the help) or the help alone is printed.
 */
export function parseFlags<T extends { help?: boolean | undefined }>(parse: (argv: string[]) => T, argv: string[], help: string): T | number {
  let options: T;
  try {
    options = parse(argv);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${help}`);
    return 2;
  }
  if (options.help) {
    console.log(help);
    return 0;
  }
  return options;
}

/** Which store and messenger the pod runs on, for every benchmark that runs both profiles. */
export const ENGINE_FLAGS = {
  profile: { type: 'string', default: 'embedded' },
  'nats-url': { type: 'string', default: 'nats://127.0.0.1:4222' },
  'postgres-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
} as const;

/** How many gateway and application-server processes the distributed profile starts. */
export const PROCESS_FLAGS = {
  gateways: { type: 'string', default: '2' },
  apps: { type: 'string', default: '2' },
} as const;
