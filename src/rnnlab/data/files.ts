/**
 * The real datasets shipped in the repository's `datasets/` folder (provenance and licences in
 * datasets/README.md). Nothing is downloaded: a missing file is an error that says where it
 * was looked for. RNNLAB_DATASETS points elsewhere if the folder has moved.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** datasets/ beside src/ and dist/: this file is three levels down in either. */
export function datasetsDir(): string {
  return process.env.RNNLAB_DATASETS ?? path.resolve(__dirname, "../../../datasets");
}

function read(relative: string): string {
  const file = path.join(datasetsDir(), relative);
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`rnnlab datasets: could not read "${file}" (${(err as NodeJS.ErrnoException).code}). Set RNNLAB_DATASETS to the folder that holds ${relative}.`);
  }
}

const lines = (text: string) => text.split("\n").map((l) => l.trim()).filter((l) => l.length > 0);

export type NameList = "female" | "male";

/** English first names (Moby Word II): 4,951 female and 3,898 male. */
export function loadNames(which: NameList): string[] {
  if (which !== "female" && which !== "male") {
    throw new RangeError(`loadNames: which: expected "female" or "male", got ${JSON.stringify(which)}.`);
  }
  return lines(read(`names/${which}.txt`));
}

export interface MonthlySeries {
  /** ISO dates, one per month. */
  dates: string[];
  values: number[];
}

/** Mauna Loa monthly CO₂ in ppm, 1958–2020 (Scripps CO2 Program, CC BY 4.0). */
export function loadCO2(): MonthlySeries & { adjusted: number[] } {
  const rows = lines(read("co2/co2-concentration.csv")).slice(1).map((l) => l.split(","));
  return { dates: rows.map((r) => r[0]), values: rows.map((r) => Number(r[1])), adjusted: rows.map((r) => Number(r[2])) };
}

export interface DailyBirths {
  dates: string[];
  /** 1 = Monday … 7 = Sunday. */
  dayOfWeek: number[];
  births: number[];
}

/** US births per day, 2000–2014 (Social Security Administration). */
export function loadBirths(): DailyBirths {
  const rows = lines(read("us-births/us-births-2000-2014.csv")).slice(1).map((l) => l.split(",").map(Number));
  const pad = (n: number) => String(n).padStart(2, "0");
  return {
    dates: rows.map(([y, m, d]) => `${y}-${pad(m)}-${pad(d)}`),
    dayOfWeek: rows.map((r) => r[3]),
    births: rows.map((r) => r[4]),
  };
}
