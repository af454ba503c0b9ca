// carbontracker 1.0 logged every power sample of an epoch instead of their mean: "Power usages (W)
// for gpu: [[212.004], [212.896], ...]", a Python list with one list of device powers per sample
// (tracker.py `_log_epoch_measurements` prints `comp.power_usages[-1]`, the samples the component
// collected in the epoch). Its energy was their mean times the epoch's duration, as ours is.
import { parseNumber } from "./text-lines.js";

/** Mean power per device over an epoch's samples; [null] when none was taken; null if unreadable. */
export function meanOfSamples(text: string): (number | null)[] | null {
  const value = text.trim().replace(/\.$/, "");
  if (/^\[\s*\]$/.test(value)) return [null];
  if (!/^\[\s*\[.*\]\s*\]$/s.test(value)) return null;
  const samples = [...value.slice(1, -1).matchAll(/\[([^[\]]*)\]/g)].map((m) =>
    (m[1] as string)
      .split(",")
      .map((token) => parseNumber(token))
      .filter((n) => n !== null),
  );
  const devices = samples[0]?.length ?? 0;
  if (devices === 0 || samples.some((sample) => sample.length !== devices)) return null;
  const means: (number | null)[] = [];
  for (let d = 0; d < devices; d++) {
    const mean = samples.reduce((sum, sample) => sum + (sample[d] as number), 0) / samples.length;
    means.push(Number.isFinite(mean) ? mean : null);
  }
  return means;
}
