export { datasetsDir, loadNames, loadCO2, loadBirths, type NameList, type MonthlySeries, type DailyBirths } from "./files";
export { CharVocab, type VocabOptions } from "./vocab";
export { addingProblem, copyTask, noisySines, type AddingBatch, type CopyBatch } from "./synthetic";
export { humanDates, type DatePair } from "./dates";
export { recallBatch, type RecallBatch } from "./recall";
export { shuffled, allNames } from "./shuffle";
export { nextCharBatch, type NextCharBatch } from "./next-char";
