export { buildProgram } from './program.ts';
export { configDir, configPath, readConfig, writeConfig, type CliConfig } from './config.ts';
