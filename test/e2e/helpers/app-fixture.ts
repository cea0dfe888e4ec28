// The set-up every app e2e file shares: the app corpus, the built app served on its own port, one
// headless Chromium. appFixture(port) registers the before/after hooks and returns their products.
import { after, before } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../helpers/browser.ts';
import { ensureAppCorpus, type AppCorpus } from './app-corpus.ts';
import { serveDist, type DistServer } from './serve-dist.ts';

export interface AppFixture {
  readonly corpus: AppCorpus;
  readonly server: DistServer;
  readonly browser: Browser;
  /** Serves the app again on the same port after a test closed the server (offline tests). */
  restartServer(): Promise<void>;
}

/** Corpus generation is cached; Chromium starts in seconds: a minute means something hangs. */
const SETUP_TIMEOUT_MS = 120_000;

export function appFixture(port: number): AppFixture {
  let corpus: AppCorpus | undefined;
  let server: DistServer | undefined;
  let browser: Browser | undefined;
  before(
    async () => {
      corpus = ensureAppCorpus();
      server = await serveDist(port);
      browser = await launchChromium();
    },
    { timeout: SETUP_TIMEOUT_MS },
  );
  after(
    async () => {
      await browser?.close();
      await server?.close();
    },
    { timeout: SETUP_TIMEOUT_MS },
  );
  const ready = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`app fixture: ${what} is not set up (used outside a test?)`);
    return v;
  };
  return {
    get corpus() {
      return ready(corpus, 'the corpus');
    },
    get server() {
      return ready(server, 'the server');
    },
    get browser() {
      return ready(browser, 'Chromium');
    },
    async restartServer() {
      await server?.close();
      server = await serveDist(port);
    },
  };
}
