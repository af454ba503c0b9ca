// Totals by job, node and user, and the sentence for papers: exactly what `--parse --by` prints,
// through this one adapter to the aggregator `--parse --by` calls (change both here).
import type { AgentJob, ParsedRun } from "../logs/parser/types.js";
import { formatGroups, groupsSentence } from "../reports/group-format.js";
import { groupTotals, type GroupBy, type GroupTotal } from "../reports/group-totals.js";

/** What totals can be grouped by. */
export const GROUPINGS: readonly GroupBy[] = ["job", "node", "user"];

/** Groups, their lines as `--parse --by` prints them, and the sentence it ends with. */
export interface Totals {
  groups: GroupTotal[];
  lines: string[];
  sentence: string;
}

/**
 * Runs and node agents' job records grouped and summed as `carbontracker --parse DIR --by <by>`
 * does it (a device measured twice over the same time counted once), with its lines and sentence.
 */
export function totalsBy(runs: readonly ParsedRun[], agentJobs: readonly AgentJob[], by: GroupBy): Totals {
  const groups = groupTotals(runs, agentJobs, by);
  return { groups, lines: formatGroups(groups, by), sentence: groupsSentence(groups) };
}
