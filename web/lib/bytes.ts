// BLOB values in the browser: their size, their bytes back from the engine's base64, and a hex dump to read them.

/** The engine hands BLOBs over as base64 (worker/values.ts); this is how many bytes that stands for. */
export function base64Size(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return Math.max(0, (base64.length / 4) * 3 - padding);
}

export function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Bytes shown by the cell detail's preview; the download has the whole value. */
export const HEX_PREVIEW_BYTES = 4096;
const PER_LINE = 16;

/**
 * `offset | hex | ASCII` lines, 16 bytes each, for the first `limit` bytes (as `xxd` and `hexdump -C` show
 * them): printable ASCII as itself, anything else as a dot.
 */
export function hexDump(bytes: Uint8Array, limit = HEX_PREVIEW_BYTES): string[] {
  const lines: string[] = [];
  const end = Math.min(bytes.length, limit);
  for (let at = 0; at < end; at += PER_LINE) {
    const row = bytes.subarray(at, Math.min(at + PER_LINE, end));
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0'));
    // A gap after the eighth byte, and short last lines padded so the ASCII column stays aligned.
    const left = hex.slice(0, 8).join(' ').padEnd(23);
    const right = hex.slice(8).join(' ').padEnd(23);
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${at.toString(16).padStart(8, '0')}  ${left}  ${right}  |${ascii}|`);
  }
  return lines;
}
