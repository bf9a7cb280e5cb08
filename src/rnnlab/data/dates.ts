/**
 * Human-written dates → ISO dates, for sequence-to-sequence models: "Tuesday, 3 March 1998",
 * "3/3/98", "3. März 1998", "1998年3月3日" … each paired with "1998-03-03". Rendered with
 * Intl.DateTimeFormat in many locales and styles, from a seed.
 */
import { Generator } from "../random";
import { expectPositiveInt } from "../validate";

const LOCALES = ["en-US", "en-GB", "de-DE", "fr-FR", "es-ES", "it-IT", "nl-NL", "pt-BR", "sv-SE", "pl-PL"];
const STYLES: Intl.DateTimeFormatOptions[] = [
  { dateStyle: "full" },
  { dateStyle: "long" },
  { dateStyle: "medium" },
  { dateStyle: "short" },
  { year: "numeric", month: "short", day: "numeric" },
  { year: "2-digit", month: "2-digit", day: "2-digit" },
  { weekday: "short", year: "numeric", month: "long", day: "numeric" },
];

export interface DatePair {
  human: string;
  iso: string;
  locale: string;
}

/**
 * `n` (human, ISO) pairs between 1950 and 2049, from the seed. The range makes two-digit years
 * unambiguous: 50–99 are 19xx, 00–49 are 20xx.
 */
export function humanDates(n: number, seed = 0, locales: string[] = LOCALES): DatePair[] {
  expectPositiveInt("humanDates", "n", n);
  const g = new Generator(seed);
  const start = Date.UTC(1950, 0, 1);
  const days = 100 * 365.25;
  const formatters = locales.flatMap((locale) => STYLES.map((s) => ({ locale, f: new Intl.DateTimeFormat(locale, { ...s, timeZone: "UTC" }) })));
  const out: DatePair[] = [];
  for (let i = 0; i < n; i++) {
    const date = new Date(start + Math.floor(g.next() * days) * 86_400_000);
    const { locale, f } = formatters[g.int(formatters.length)];
    let human = f.format(date).normalize("NFC");
    if (g.next() < 0.3) human = human.toLowerCase();
    out.push({ human, iso: date.toISOString().slice(0, 10), locale });
  }
  return out;
}
