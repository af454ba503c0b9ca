// `scontrol listpids` where SLURM keeps no job cgroups (proctrack/linuxproc): the pids of every
// step on this node, by job. Format: reference/slurm.md 10.3.
import { execFile } from "node:child_process";

/** One row of `scontrol listpids`. */
export interface ListedPid {
  pid: number;
  jobId: string;
  stepId: string;
  localId: string | undefined;
  globalId: string | undefined;
}

/** Parses the output (header, padded columns, trailing spaces, `-` placeholders). */
export function parseListpids(text: string): ListedPid[] {
  const rows: ListedPid[] = [];
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 3 || !/^\d+$/.test(f[0]!)) continue;
    const dash = (x: string | undefined) => (x === undefined || x === "-" ? undefined : x);
    rows.push({ pid: Number(f[0]), jobId: f[1]!, stepId: f[2]!, localId: dash(f[3]), globalId: dash(f[4]) });
  }
  return rows;
}

/** Runs `scontrol listpids` (CARBONTRACKER_SCONTROL or `scontrol`); no steps on the node gives []. */
export function runListpids(scontrol: string, timeoutMs = 5000): Promise<ListedPid[]> {
  return new Promise((resolve, reject) => {
    execFile(scontrol, ["listpids"], { timeout: timeoutMs }, (error, stdout, stderr) => {
      if (!error) return resolve(parseListpids(stdout));
      const text = `${stderr}`.trim();
      // Exit 1 with "No job steps exist on this node." is the normal idle answer.
      if (/no job steps exist|there are no steps/i.test(text)) return resolve([]);
      reject(new Error(`${scontrol} listpids failed: ${text || error.message}`));
    });
  });
}
