// A tracker that lost the election still measures the GPUs it was given; the node's shared
// devices are left to the winner. This turns the requested components into the measured ones.
import type { Component } from "../hardware/types.js";
import type { SlurmIdentity } from "../logs/schema.js";
import type { SharedDeviceElection } from "./shared-device-election.js";

/** Components to measure after the election: without the shared devices, only `gpu` stays. */
export function componentsAfterElection(
  requested: readonly Component[],
  election: SharedDeviceElection,
): Component[] {
  return election.measuresSharedDevices ? [...requested] : requested.filter((c) => c === "gpu");
}

/**
 * Fields to add to the `start` record's `slurm` object, saying who measured what:
 * `shared_devices` is `measured` or `left_to_other`, `shared_devices_reason` the election's sentence.
 */
function electionFields(election: SharedDeviceElection): Record<string, unknown> {
  return {
    shared_devices: election.measuresSharedDevices ? "measured" : "left_to_other",
    shared_devices_reason: election.reason,
    ...(election.measurer ? { shared_devices_measurer: { ...election.measurer } } : {}),
  };
}

/** The `slurm` object of a `start` record with the election's fields, or undefined outside a job. */
export function slurmStartFields(
  identity: SlurmIdentity | undefined,
  election: SharedDeviceElection,
): SlurmIdentity | undefined {
  return identity ? { ...identity, ...electionFields(election) } : undefined;
}
