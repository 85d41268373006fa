// The states of anything a page loads or submits: nothing yet, in flight, failed, or done.
import type { ShownError } from './ipc';

export type Async<T> = { status: 'idle' } | { status: 'loading' } | { status: 'error'; error: ShownError } | { status: 'ready'; value: T };

export const IDLE = { status: 'idle' } as const;
export const LOADING = { status: 'loading' } as const;
