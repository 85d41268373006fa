// Before the browser tests: builds the app when out/renderer is missing or older than the renderer and shared sources, so a run never drives a stale build.
import { buildIfStale } from './support/build';

export default function globalSetup(): void {
  buildIfStale({ outputs: ['out/renderer/index.html'], sources: ['src/renderer', 'src/shared'] });
}
