// Saving a file the main process produced: a Blob behind a temporary <a download> (Chromium and Electron's sandboxed renderer alike, no Node needed).
export function downloadFile(filename: string, mime: string, content: string, encoding: 'utf8' | 'base64'): void {
  const data = encoding === 'base64' ? Uint8Array.from(atob(content), (c) => c.charCodeAt(0)) : content;
  const url = URL.createObjectURL(new Blob([data], { type: mime }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.className = 'offscreen';
  document.body.append(link);
  link.click();
  link.remove();
  // The click has started the download; the URL is released once it has been read.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
