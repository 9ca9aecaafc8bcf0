/**
 * Bytes of a CSV input to text, chunk by chunk: the encoding is read from a byte-order mark (UTF-8, whose mark is
 * dropped, or UTF-16 little- or big-endian) and is UTF-8 without one. Chunks may split a character or the mark.
 */
export class CsvDecoder {
  private decoder: TextDecoder | null = null;
  /** The first bytes, kept until there are enough of them to recognize a byte-order mark. */
  private head: Uint8Array = new Uint8Array(0);
  /** The encoding found, once the first bytes have been seen. */
  encoding: 'utf-8' | 'utf-16le' | 'utf-16be' | null = null;

  /** Text of the next chunk of bytes (possibly empty: a character or the mark may continue in the next chunk). */
  decode(chunk: Uint8Array): string {
    if (this.decoder === null) {
      const head = new Uint8Array(this.head.length + chunk.length);
      head.set(this.head);
      head.set(chunk, this.head.length);
      // Two bytes tell UTF-16 marks (FF FE, FE FF); a UTF-8 mark (EF BB BF) needs three.
      if (head.length < 3 && !(head.length === 2 && isUtf16Mark(head))) {
        this.head = head;
        return '';
      }
      this.start(head);
      this.head = new Uint8Array(0);
      return this.decoder!.decode(head, { stream: true });
    }
    return this.decoder.decode(chunk, { stream: true });
  }

  /** The text left at the end of the input (an incomplete character decodes to U+FFFD). */
  end(): string {
    if (this.decoder === null) {
      this.start(this.head);
      return this.decoder!.decode(this.head);
    }
    return this.decoder.decode();
  }

  private start(head: Uint8Array): void {
    this.encoding = head[0] === 0xff && head[1] === 0xfe ? 'utf-16le' : head[0] === 0xfe && head[1] === 0xff
      ? 'utf-16be' : 'utf-8';
    // The decoder drops the mark of its own encoding (ignoreBOM false).
    this.decoder = new TextDecoder(this.encoding);
  }
}

function isUtf16Mark(b: Uint8Array): boolean {
  return (b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff);
}
