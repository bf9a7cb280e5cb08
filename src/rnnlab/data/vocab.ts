/**
 * Character vocabularies: the id of each character, and back. Ids 0… are reserved for the
 * special tokens given (by default a padding token "·" at id 0), then the characters in
 * sorted order, so the same text always gives the same ids.
 */
import { describe } from "../validate";

export interface VocabOptions {
  /** Special tokens placed first, e.g. ["<pad>", "<bos>", "<eos>"]. Default ["<pad>"]. */
  specials?: string[];
}

export class CharVocab {
  readonly tokens: string[];
  private readonly ids: Map<string, number>;

  constructor(texts: Iterable<string>, options: VocabOptions = {}) {
    const chars = new Set<string>();
    for (const t of texts) for (const ch of t) chars.add(ch);
    const specials = options.specials ?? ["<pad>"];
    this.tokens = [...specials, ...[...chars].filter((c) => !specials.includes(c)).sort()];
    this.ids = new Map(this.tokens.map((t, i) => [t, i]));
  }

  get size(): number {
    return this.tokens.length;
  }

  /** The id of a token; throws for characters the vocabulary has never seen. */
  id(token: string): number {
    const i = this.ids.get(token);
    if (i === undefined) throw new RangeError(`CharVocab.id: token: ${describe(token)} is not in the vocabulary of ${this.size} tokens.`);
    return i;
  }

  encode(text: string): number[] {
    return [...text].map((ch) => this.id(ch));
  }

  decode(ids: Iterable<number>, { skip = [] as string[] } = {}): string {
    let out = "";
    for (const i of ids) {
      const t = this.tokens[i];
      if (t === undefined) throw new RangeError(`CharVocab.decode: ids: ${i} is outside [0, ${this.size}).`);
      if (!skip.includes(t)) out += t;
    }
    return out;
  }

  /** Encodes several texts, right-padded with `pad` to the longest: a [B, T] id matrix. */
  encodeBatch(texts: string[], pad = this.tokens[0]): number[][] {
    const rows = texts.map((t) => this.encode(t));
    const T = Math.max(0, ...rows.map((r) => r.length));
    const p = this.id(pad);
    return rows.map((r) => [...r, ...new Array(T - r.length).fill(p)]);
  }
}
