// What only CI installs (a SLURM cluster, promtool): a test that needs it is skipped elsewhere
// with the reason shown, and runs (so fails) in CI, where its absence is a broken setup.

/** Whether the tests run in CI (`CI` set, as CI services and .ci/run set it). */
export const IN_CI = Boolean(process.env.CI);

/**
 * The `skip` option of a test that needs something only CI installs: false where it is present
 * or in CI, else the reason, e.g. "no SLURM cluster (CI starts one: test/cluster/start-slurm.sh)".
 */
export function skipUnlessInCi(present: boolean, reason: string): false | string {
  return present || IN_CI ? false : `${reason} (CI provides it: test/cluster/start-slurm.sh)`;
}
