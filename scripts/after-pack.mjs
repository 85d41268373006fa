// electron-builder afterPack hook: refuses a package whose better_sqlite3.node is missing or is the one built for Node.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Where src/main/app/native-binding.ts looks in a packaged app, relative to its resources folder. */
export const PACKED_BINDING = join('app.asar.unpacked', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');

/**
 * An error message, or undefined when the packed module is acceptable. When the package is for this very machine's
 * platform and arch, a module that loads in this (Node) process is Node's build, which Electron would refuse at start.
 */
export function checkPackedBinding(resourcesDir, { platform, arch }) {
  const file = join(resourcesDir, PACKED_BINDING);
  if (!existsSync(file)) {
    return `${file} is missing: electron-builder did not rebuild better-sqlite3 for ${platform}-${arch}. ` +
      'Native modules cannot be cross-compiled: build this package on that OS and arch';
  }
  if (platform !== process.platform || arch !== process.arch) return undefined;
  try {
    process.dlopen({ exports: {} }, file);
  } catch {
    return undefined; // not loadable by Node: built for Electron's ABI
  }
  return `${file} loads in plain Node ${process.version}: it is Node's build, not Electron's. Package with \`npm run dist\``;
}

const ARCH_NAMES = ['ia32', 'x64', 'armv7l', 'arm64', 'universal']; // builder-util's Arch enum, by value

export async function afterPack(context) {
  const resourcesDir = context.packager.getResourcesDir(context.appOutDir);
  const problem = checkPackedBinding(resourcesDir, { platform: context.electronPlatformName, arch: ARCH_NAMES[context.arch] ?? String(context.arch) });
  if (problem !== undefined) throw new Error(problem);
}
