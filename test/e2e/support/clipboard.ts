// What the page's clipboard holds (this tsconfig has Node's types, not the DOM's, hence the narrow cast).
import type { Page } from '@playwright/test';

interface BrowserGlobals {
  navigator: { clipboard: { readText(): Promise<string> } };
}

export function readClipboard(page: Page): Promise<string> {
  return page.evaluate(() => (globalThis as unknown as BrowserGlobals).navigator.clipboard.readText());
}
