/** The plot namespace as the library exports it (src/rnnlab/index.ts does `export * as plot from "./plot"`). */
export * as plot from "../../src/rnnlab/plot";
