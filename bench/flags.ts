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
