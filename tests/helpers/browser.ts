import type { Browser } from "playwright-core";

/**
 * A headless Chromium for the admin page tests, from the lock file: @sparticuz/chromium ships a Chromium
 * build inside its npm package (brotli-compressed, unpacked to the temp directory on first use, about 3 s,
 * then reused), so `npm ci && npm test` needs no browser from the system, no root and no download.
 *
 * It also ships the few shared libraries that build needs beyond glibc (NSS, NSPR, expat), but unpacks them
 * only where it believes it runs on Amazon Linux 2023; saying so makes it use them everywhere, so the test
 * does not depend on whether the machine happens to have libnss3. Its flags are the ones that build needs
 * to run headless in a container (no sandbox, SwiftShader for WebGL), plus ours that keep it off this
 * machine's closed network.
 */
export async function launchBrowser(): Promise<Browser> {
  process.env.AWS_LAMBDA_JS_RUNTIME ??= "nodejs20.x";
  const [{ default: sparticuz }, { chromium }] = await Promise.all([
    import("@sparticuz/chromium"),
    import("playwright-core"),
  ]);
  return chromium.launch({
    executablePath: await sparticuz.executablePath(),
    args: [
      // Without --single-process: in one process, closing a browser context takes the browser down with it.
      ...sparticuz.args.filter((a) => a !== "--single-process"),
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
