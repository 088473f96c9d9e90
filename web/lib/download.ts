// Saves bytes as a file through a temporary object URL (a backup of the database).

export function downloadBytes(bytes: Uint8Array, filename: string, type = 'application/octet-stream'): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }));
  const link = Object.assign(document.createElement('a'), { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  // Revoking at once can abort the download in some browsers; a moment later is enough.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
