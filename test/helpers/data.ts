import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestContext } from "node:test";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * The shared trace samples: $COTWIN_DATA_DIR if set, else ../shared/data next to the repository
 * if it exists, else null (tests that need it skip).
 */
export function sharedDataDir(): string | null {
  if (process.env.COTWIN_DATA_DIR) return process.env.COTWIN_DATA_DIR;
  const sibling = resolve(repoRoot, "../shared/data");
  return existsSync(sibling) ? sibling : null;
}

/**
 * The path of a sample file of `dataset`, or null after marking the test skipped when it is absent.
 * Usage: `const f = dataFile(t, "bitbrains", "bitbrains/bitbrains.csv"); if (!f) return;`
 */
export function dataFile(t: TestContext, dataset: string, relativePath: string): string | null {
  const dir = sharedDataDir();
  const file = dir === null ? null : join(dir, relativePath);
  if (file === null || !existsSync(file)) {
    t.skip(`data absent: run \`npx cotwin data fetch ${dataset}\``);
    return null;
  }
  return file;
}
