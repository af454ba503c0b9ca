// Totals by job, node and user, and the sentence for papers: exactly what `--parse --by` and
// `--parse` print, through the one adapter below (when the aggregator changes, change it here).
import { aggregateSentence } from "../logs/parser/aggregate-sentence.js";
import { totalConsumption } from "../logs/parser/totals.js";
import type { ParsedRun } from "../logs/parser/types.js";
import { groupRuns, type GroupBy, type RunGroup } from "../reports/aggregate.js";

/** What totals can be grouped by. */
export const GROUPINGS: readonly GroupBy[] = ["job", "node", "user"];

/** Runs grouped and summed as `carbontracker --parse DIR --by <by>` groups and sums them. */
export function totalsBy(runs: readonly ParsedRun[], by: GroupBy): RunGroup[] {
  return groupRuns(runs, by);
}

/** The sentence `carbontracker --parse DIR` prints for these runs. */
export function paperSentence(runs: readonly ParsedRun[]): string {
  return aggregateSentence(totalConsumption(runs));
}
