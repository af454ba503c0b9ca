// Runs detection through the real registry and prints what it found as JSON; the permission test
// runs it as an unprivileged user (setpriv), where a 0400 energy_uj really fails with EACCES.
import { detectReaders } from "../../../src/hardware/detect.js";
import { BACKENDS } from "../../../src/hardware/registry.js";

const detection = await detectReaders(
  ["cpu"],
  { env: { CARBONTRACKER_POWERCAP_ROOT: process.argv[2] }, pid: process.pid, devicesByPid: false },
  BACKENDS,
);
process.stdout.write(
  JSON.stringify({
    uid: process.getuid?.(),
    backends: detection.readers.map((r) => r.backend),
    devices: detection.readers.flatMap((r) => r.devices()),
    skipped: detection.skipped,
    notices: detection.notices,
  }),
);
for (const reader of detection.readers) reader.close();
