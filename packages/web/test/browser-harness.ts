import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
/** Screenshots of each main view land here (gitignored), for people to look at. */
export const ARTIFACTS = join(new URL('../../..', import.meta.url).pathname, 'test-artifacts', 'web');

export function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
}

export interface TabUnderTest {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions the page produced. */
  errors: string[];
}

export async function openTab(browser: Browser, url: string, options: BrowserContextOptions = {}): Promise<TabUnderTest> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options, baseURL: url });
  const page = await context.newPage();
  return { context, page, errors: collectErrors(page) };
}

/** Console errors and uncaught exceptions of `page`, as they come. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

export async function signIn(page: Page, name: string, password: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Functions' }).waitFor();
  // The socket is live once the connecting banner is gone.
  await page.getByText('Connecting…').waitFor({ state: 'hidden' });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}
