/**
 * Shared by the browser tests: Debian's Chromium started through playwright-core (never a downloaded browser), and a
 * record of what a page reports as going wrong.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';

/** The system Chromium: `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Starts a headless Chromium; one per test file. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
}

/**
 * Console errors and warnings and uncaught exceptions of a page and of its workers, one line each, as they come.
 * Tests end with `expect(problems).toEqual([])`, so a failure lists them.
 */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  const onConsole = (where: string) => (m: ConsoleMessage) => {
    if (m.type() !== 'error' && m.type() !== 'warning') return;
    const at = m.location();
    problems.push(`${where} console.${m.type()}: ${m.text()}${at.url ? ` (${at.url}:${at.lineNumber})` : ''}`);
  };
  page.on('console', onConsole('page'));
  page.on('pageerror', (e) => problems.push(`page error: ${e.stack ?? e.message}`));
  page.on('crash', () => problems.push('page crashed'));
  return problems;
}
