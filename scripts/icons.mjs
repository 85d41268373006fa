#!/usr/bin/env node
// Regenerates the packaged app's icons from resources/icon.svg: a PNG set for Linux, icon.icns for macOS, icon.ico for Windows.
//
// The outputs are committed, so packaging needs neither this script nor electron-builder's icon converter (which
// downloads a toolset). Rasterizing needs `rsvg-convert` (Debian/Ubuntu: apt-get install librsvg2-bin; macOS: brew
// install librsvg). ICO and ICNS are written here: both formats can hold PNG images, so they are a header plus the PNGs.
//
// Usage: node scripts/icons.mjs
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const resources = join(root, 'resources');
const svg = join(resources, 'icon.svg');

function png(size) {
  const result = spawnSync('rsvg-convert', ['--width', String(size), '--height', String(size), '--keep-aspect-ratio', svg], { maxBuffer: 64 * 1024 * 1024 });
  if (result.error !== undefined || result.status !== 0) {
    const why = result.error?.code === 'ENOENT' ? 'rsvg-convert not found (apt-get install librsvg2-bin)' : String(result.stderr);
    throw new Error(`cannot rasterize ${relative(root, svg)} at ${size}px: ${why}`);
  }
  return result.stdout;
}

/** ICO with PNG-compressed entries (Windows Vista and later); a width/height byte of 0 means 256. */
function ico(images) {
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach(({ size, data }, i) => {
    const entry = 6 + 16 * i;
    header.writeUInt8(size >= 256 ? 0 : size, entry);
    header.writeUInt8(size >= 256 ? 0 : size, entry + 1);
    header.writeUInt8(0, entry + 2); // no palette
    header.writeUInt8(0, entry + 3);
    header.writeUInt16LE(1, entry + 4); // colour planes
    header.writeUInt16LE(32, entry + 6); // bits per pixel
    header.writeUInt32LE(data.length, entry + 8);
    header.writeUInt32LE(offset, entry + 12);
    offset += data.length;
  });
  return Buffer.concat([header, ...images.map((image) => image.data)]);
}

/** ICNS: 'icns' + total length, then one (type, length, PNG) element per size. */
function icns(elements) {
  const parts = elements.map(({ type, data }) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'latin1');
    head.writeUInt32BE(8 + data.length, 4);
    return Buffer.concat([head, data]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'latin1');
  head.writeUInt32BE(8 + parts.reduce((sum, part) => sum + part.length, 0), 4);
  return Buffer.concat([head, ...parts]);
}

const sizes = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
const rendered = new Map(sizes.map((size) => [size, png(size)]));
const get = (size) => rendered.get(size);

// Linux: a set named by size, which electron-builder installs into the hicolor theme as is.
mkdirSync(join(resources, 'icons'), { recursive: true });
for (const size of [16, 24, 32, 48, 64, 128, 256, 512]) writeFileSync(join(resources, 'icons', `${size}x${size}.png`), get(size));
// The largest image, for anything that wants one PNG.
writeFileSync(join(resources, 'icon.png'), get(1024));
writeFileSync(join(resources, 'icon.ico'), ico([16, 24, 32, 48, 64, 128, 256].map((size) => ({ size, data: get(size) }))));
writeFileSync(join(resources, 'icon.icns'), icns([
  { type: 'icp4', data: get(16) },
  { type: 'icp5', data: get(32) },
  { type: 'ic11', data: get(32) }, // 16@2x
  { type: 'ic12', data: get(64) }, // 32@2x
  { type: 'ic07', data: get(128) },
  { type: 'ic13', data: get(256) }, // 128@2x
  { type: 'ic08', data: get(256) },
  { type: 'ic14', data: get(512) }, // 256@2x
  { type: 'ic09', data: get(512) },
  { type: 'ic10', data: get(1024) }, // 512@2x
]));
const check = readFileSync(join(resources, 'icon.png'));
process.stdout.write(`✓ icons written to ${relative(root, resources)}/ (icon.png ${check.readUInt32BE(16)}px, icon.ico, icon.icns, icons/*.png)\n`);
