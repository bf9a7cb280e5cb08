/**
 * Seeded shuffling and the course's combined name list. Notebooks 01, 03 and 04 each shuffled
 * the names with the same Fisher–Yates loop; one copy here keeps their orders identical.
 */
import { Generator } from "../random";
import { loadNames } from "./files";

/** A shuffled copy of `items` (Fisher–Yates, from the last item down); `items` is left as it is. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  if (!Array.isArray(items)) throw new TypeError(`shuffled: items: expected an array, got ${typeof items}.`);
  if (!Number.isInteger(seed)) throw new RangeError(`shuffled: seed: expected an integer, got ${String(seed)}.`);
  const g = new Generator(seed);
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = g.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/**
 * Every entry of the female list, then every entry of the male list, lower-cased (8,849 names;
 * the 419 names on both lists appear twice, as they do in the lists).
 */
export function allNames(): string[] {
  return [...loadNames("female"), ...loadNames("male")].map((n) => n.toLowerCase());
}
