// The energy of the gap before an NVML counter reset (driver reload, GPU reset): the counter went
// back, so its difference says nothing about the time since the previous counter read. What is
// known instead: the power sampled within the gap, the last power known before its end, and the
// counter's new value, which NVML documents as the energy since the driver was (re)loaded, so the
// energy since a restart that happened within the gap: a floor under the gap's energy.
import type { Joules, Seconds, Watts } from "../../units/index.js";

/** What a reader knows about a gap that ended with its counter lower than at its start. */
export interface ResetGap {
  /** The whole gap, since the previous counter read (s). */
  gapS: Seconds;
  /** Power readings within the gap, integrated up to the last of them (J). */
  sampledJ: Joules;
  /** The last power known at the gap's end: read then, else the latest reading or counter mean (W). */
  lastPowerW: Watts | null;
  /** The end of the gap after the last power known (s); 0 when power was read at its end. */
  heldS: Seconds;
  /** The counter's value at the gap's end (J). */
  counterNowJ: Joules;
  /** The board's power limit (W), when NVML reports it. */
  powerLimitW: Watts | undefined;
}

/** The energy given to the gap, or null when nothing is known, and how, as a notice words it. */
export interface ResetFill {
  energyJ: Joules | null;
  /** Follows "are"/"were": `counted from sampled power`, `not counted`... */
  how: string;
}

/**
 * A restart from 0 within the gap cannot have counted more than the gap at twice the power limit
 * (the margin RAPL's wrap check takes over its peak power); a counter that went back further
 * than that did not restart from 0, and its value is no floor.
 */
function restartedWithin(gap: ResetGap): boolean {
  return gap.powerLimitW === undefined || gap.counterNowJ <= 2 * gap.powerLimitW * gap.gapS;
}

/**
 * The gap's energy: the sampled power plus the last power known held to its end, raised to the
 * counter's new value where that is more (the power known then missed some of the gap's energy).
 */
export function fillResetGap(gap: ResetGap): ResetFill {
  const floorJ = restartedWithin(gap) ? gap.counterNowJ : 0;
  const estimateJ = gap.lastPowerW === null ? null : gap.sampledJ + gap.lastPowerW * gap.heldS;
  if (estimateJ !== null && estimateJ >= floorJ) {
    let how = "counted from sampled power";
    if (gap.heldS > 0) {
      how =
        gap.sampledJ > 0
          ? `counted from sampled power, the last reading held over the final ${gap.heldS.toFixed(3)} s`
          : "counted from the last power known, held over them";
    }
    return { energyJ: estimateJ, how };
  }
  if (floorJ > 0) {
    return {
      energyJ: floorJ,
      how: "counted from the counter's new value, the energy since it restarted within them",
    };
  }
  return { energyJ: null, how: "not counted" };
}
