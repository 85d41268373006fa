// The window's permission table: only clipboard writes from the console's own page are granted, by the request and the check handler alike; everything else, and every other page, is denied.
import { describe, expect, it, vi } from 'vitest';
import { permissionAllowed, permissionHandlers } from '../../../../src/main/app/permissions';

const OWN = 'file:///opt/devmesh/resources/app.asar/out/renderer/index.html';
const isOwnUrl = (url: string): boolean => url === OWN;
const FOREIGN = ['https://evil.example/', 'file:///tmp/other.html', `${OWN}.evil`, 'http://127.0.0.1:8081/'];
const DENIED = ['clipboard-read', 'deprecated-sync-clipboard-read', 'media', 'notifications', 'geolocation', 'openExternal', 'fileSystem', 'hid', 'serial', 'usb', 'unknown', 'fullscreen'];

describe('permissionAllowed', () => {
  it('grants clipboard writes to the own page', () => {
    expect(permissionAllowed('clipboard-sanitized-write', OWN, isOwnUrl)).toBe(true);
  });

  it('denies clipboard writes to any other page or an unknown requester', () => {
    for (const url of [...FOREIGN, '', undefined]) expect(permissionAllowed('clipboard-sanitized-write', url, isOwnUrl), String(url)).toBe(false);
  });

  it('denies every other permission, reading the clipboard first of all, even to the own page', () => {
    for (const permission of DENIED) expect(permissionAllowed(permission, OWN, isOwnUrl), permission).toBe(false);
  });
});

describe('permissionHandlers', () => {
  const { request, check } = permissionHandlers(isOwnUrl);

  it('answers a request through the callback: yes only for a clipboard write from the own page', () => {
    const callback = vi.fn();
    request(null, 'clipboard-sanitized-write', callback, { requestingUrl: OWN });
    request(null, 'clipboard-sanitized-write', callback, { requestingUrl: FOREIGN[0] as string });
    request(null, 'clipboard-read', callback, { requestingUrl: OWN });
    request(null, 'media', callback, { requestingUrl: OWN });
    expect(callback.mock.calls).toEqual([[true], [false], [false], [false]]);
  });

  it('answers a check the same way, by the frame URL', () => {
    expect(check(null, 'clipboard-sanitized-write', 'file://', { requestingUrl: OWN, isMainFrame: true })).toBe(true);
    expect(check(null, 'clipboard-sanitized-write', 'https://evil.example', { requestingUrl: FOREIGN[0], isMainFrame: true })).toBe(false);
    expect(check(null, 'clipboard-read', 'file://', { requestingUrl: OWN, isMainFrame: true })).toBe(false);
    expect(check(null, 'notifications', 'file://', { requestingUrl: OWN, isMainFrame: true })).toBe(false);
  });

  it('without the frame URL, identifies only the main frame, by the page its contents show', () => {
    const own = { getURL: () => OWN };
    expect(check(own, 'clipboard-sanitized-write', 'file://', { isMainFrame: true })).toBe(true);
    expect(check(own, 'clipboard-sanitized-write', 'file://', { isMainFrame: false })).toBe(false);
    expect(check({ getURL: () => FOREIGN[0] as string }, 'clipboard-sanitized-write', 'file://', { isMainFrame: true })).toBe(false);
    expect(check(null, 'clipboard-sanitized-write', 'file://', { isMainFrame: true })).toBe(false);
  });
});
