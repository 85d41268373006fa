// The window's permission table: default deny, with exactly one exception, writing to the clipboard (never reading it) from the console's own page.

/**
 * The only permission the console grants: `navigator.clipboard.writeText` for the copy buttons (API keys, config snippets).
 * 'clipboard-read' (and the old synchronous read) stay denied: a page that could read the clipboard could take whatever
 * the operator copied elsewhere, passwords included.
 */
export const GRANTED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

/**
 * Whether `permission`, asked by the frame at `requestingUrl`, is granted: only a permission in GRANTED_PERMISSIONS, only
 * for the console's own page (`isOwnUrl`), never for an unknown requester. Pure, so the same decision serves Electron's
 * request and check handlers and is tested under Node.
 */
export function permissionAllowed(permission: string, requestingUrl: string | undefined, isOwnUrl: (url: string) => boolean): boolean {
  if (!GRANTED_PERMISSIONS.has(permission)) return false;
  if (requestingUrl === undefined || requestingUrl === '') return false;
  return isOwnUrl(requestingUrl);
}

/** What Electron's handlers are given that the decision reads (structural, so this module needs no 'electron' import). */
interface RequestDetails {
  requestingUrl: string;
}
interface CheckDetails {
  requestingUrl?: string | undefined;
  isMainFrame: boolean;
}
interface Contents {
  getURL(): string;
}

/** The session's permission request and check handlers, both deciding with permissionAllowed(). */
export function permissionHandlers(isOwnUrl: (url: string) => boolean): {
  request: (contents: unknown, permission: string, callback: (granted: boolean) => void, details: RequestDetails) => void;
  check: (contents: Contents | null, permission: string, requestingOrigin: string, details: CheckDetails) => boolean;
} {
  return {
    request: (_contents, permission, callback, details) => callback(permissionAllowed(permission, details.requestingUrl, isOwnUrl)),
    check(contents, permission, _requestingOrigin, details) {
      // Without the frame's URL, only the main frame can be identified: by the page it shows.
      const requestingUrl = details.requestingUrl ?? (details.isMainFrame ? contents?.getURL() : undefined);
      return permissionAllowed(permission, requestingUrl, isOwnUrl);
    },
  };
}
