// The byte-level encoders the Parquet writer needs: a growable buffer and Thrift's compact protocol.

/** A growable byte buffer. */
export class Bytes {
  buf: Uint8Array;
  view: DataView;
  at = 0;

  constructor(size: number) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }

  reserve(n: number): void {
    if (this.at + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.at + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.at));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  byte(b: number): void {
    this.reserve(1);
    this.buf[this.at++] = b;
  }
  u32(n: number): void {
    this.reserve(4);
    this.view.setUint32(this.at, n, true);
    this.at += 4;
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
  }
  varint(n: number): void {
    this.reserve(10);
    while (n >= 0x80) {
      this.buf[this.at++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.at++] = n;
  }
  result(): Uint8Array {
    return this.buf.subarray(0, this.at);
  }
}

/** Thrift compact protocol, the few forms Parquet's metadata needs. */
export class Thrift {
  readonly out = new Bytes(256);
  #last: number[] = [0];

  #field(id: number, type: number): void {
    const delta = id - this.#last[this.#last.length - 1]!;
    if (delta > 0 && delta <= 15) this.out.byte((delta << 4) | type);
    else {
      this.out.byte(type);
      this.out.varint(id * 2);
    }
    this.#last[this.#last.length - 1] = id;
  }
  int(id: number, n: number, type: 5 | 6 = 5): void {
    this.#field(id, type);
    this.out.varint(n * 2); // zigzag; every value written here is >= 0
  }
  string(id: number, text: string): void {
    this.#field(id, 8);
    const bytes = new TextEncoder().encode(text);
    this.out.varint(bytes.length);
    this.out.bytes(bytes);
  }
  begin(id: number): void {
    this.#field(id, 12);
    this.#last.push(0);
  }
  end(): void {
    this.out.byte(0);
    this.#last.pop();
  }
  list(id: number, type: 5 | 8 | 12, size: number): void {
    this.#field(id, 9);
    if (size < 15) this.out.byte((size << 4) | type);
    else {
      this.out.byte(0xf0 | type);
      this.out.varint(size);
    }
  }
  /** A struct as a list element: no field header. */
  element(): void {
    this.#last.push(0);
  }
  listInt(n: number): void {
    this.out.varint(n * 2);
  }
  listString(text: string): void {
    const bytes = new TextEncoder().encode(text);
    this.out.varint(bytes.length);
    this.out.bytes(bytes);
  }
}
