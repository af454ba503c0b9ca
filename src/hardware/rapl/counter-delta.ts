// Energy between two readings of a wrapping RAPL counter. The counter runs from 0 to
// max_energy_range_uj and starts again at 0; one wrap per interval can be seen, never two.
import { parseDecimalBytes } from "../digits.js";
import { parseTextWith } from "../read-text.js";

/**
 * Energy between two counter readings (µJ): `now - prev`, or across one wrap
 * `now + (maxRangeUj - prev)` (the true modulus is one counter unit larger: at most 61 µJ per
 * wrap). Undefined when the counter went back and its range is unknown: that interval is lost
 * rather than counted negative.
 */
export function counterDeltaUj(
  prevUj: number,
  nowUj: number,
  maxRangeUj: number | undefined,
  maxPlausibleUj = Infinity,
): number | undefined {
  if (nowUj >= prevUj) return nowUj - prevUj;
  if (maxRangeUj === undefined || maxRangeUj <= 0 || prevUj > maxRangeUj) return undefined;
  const wrapped = nowUj + (maxRangeUj - prevUj);
  // A step back that a wrap would explain only with an impossible power is a reset (a driver
  // reload): count what the counter holds since, not the rest of its range.
  return wrapped <= maxPlausibleUj ? wrapped : nowUj;
}

/** Parses the text of an `energy_uj` or `max_energy_range_uj` file (µJ); undefined if it is not a count. */
export function parseMicrojoules(text: string): number | undefined {
  return parseTextWith(text, parseDecimalBytes);
}
