// `carbontracker doctor --fix / --unfix` against a temporary root folder: the dry run printed
// exactly, the rule written, the counters opened to the group at once, and all of it undone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { doctor, fakeMachine } from "./doctor-kit.js";
import type { CommandRunner } from "../../src/doctor/fix-apply.js";

const RULE = [
  "# Written by `carbontracker doctor --fix`; remove with `carbontracker doctor --unfix`.",
  "# Lets members of group ctusers read the RAPL energy counters (energy_uj), which kernels",
  "# patched for CVE-2020-8694 make readable by root only. Add only users you trust with this",
  "# power side channel: usermod -aG ctusers USER",
  'ACTION=="add", SUBSYSTEM=="powercap", KERNEL=="intel-rapl*:*", RUN+="/bin/chgrp ctusers /sys%p/energy_uj", RUN+="/bin/chmod g+r /sys%p/energy_uj"',
];

/** Stands in for groupadd under a temp root: appends the group, as groupadd --prefix would. */
function fakeGroupadd(calls: string[][]): CommandRunner {
  return (argv) => {
    calls.push(argv);
    const prefix = argv[argv.indexOf("--prefix") + 1] as string;
    appendFileSync(join(prefix, "etc", "group"), `${argv.at(-1)}:x:4242:\n`);
    return { status: 0, stderr: "" };
  };
}

test("--fix --dry-run prints exactly what it would write and run, and changes nothing", async () => {
  const m = fakeMachine({ rapl: "root-only" });
  try {
    const run = await doctor(["--fix", "--dry-run", "--group", "ctusers"], m.env, { uid: 1000 });
    assert.equal(run.code, 0, run.stderr);
    const rule = `${m.root}/etc/udev/rules.d/99-carbontracker-rapl.rules`;
    const zone0 = `${m.powercap}/intel-rapl:0/energy_uj`;
    const zone00 = `${m.powercap}/intel-rapl:0:0/energy_uj`;
    assert.equal(
      run.stdout,
      [
        "# carbontracker doctor --fix --dry-run: nothing was changed; --fix would run:",
        `groupadd --system --prefix ${m.root} ctusers`,
        `mkdir -p ${m.root}/etc/udev/rules.d`,
        `cat > ${rule} <<'EOF'`,
        ...RULE,
        "EOF",
        `chmod 0644 ${rule}`,
        `chgrp ctusers ${zone0}`,
        `chmod g+r ${zone0}`,
        `chgrp ctusers ${zone00}`,
        `chmod g+r ${zone00}`,
        "# Let each user who may read the counters into group ctusers (they must log in again):",
        "#   usermod -aG ctusers USER",
        "",
      ].join("\n"),
    );
    assert.equal(existsSync(rule), false);
    assert.equal(statSync(zone0).mode & 0o777, 0o400);
    assert.doesNotMatch(readFileSync(join(m.root, "etc", "group"), "utf8"), /ctusers/);
  } finally {
    m.cleanup();
  }
});

test("--fix --method tmpfiles --dry-run writes the systemd-tmpfiles lines instead", async () => {
  const m = fakeMachine({ rapl: "root-only" });
  try {
    const run = await doctor(["--fix", "--dry-run", "--method", "tmpfiles"], m.env);
    assert.equal(run.code, 0, run.stderr);
    const out = run.stdout.split("\n");
    assert.ok(out.includes(`cat > ${m.root}/etc/tmpfiles.d/carbontracker-rapl.conf <<'EOF'`), run.stdout);
    assert.ok(out.includes("z /sys/class/powercap/intel-rapl:*/energy_uj 0440 root carbontracker -"));
    assert.ok(out.includes("z /sys/class/powercap/intel-rapl-mmio:*/energy_uj 0440 root carbontracker -"));
  } finally {
    m.cleanup();
  }
});

test(
  "--fix then --unfix on a temporary root: rule written, counters 0440 to the group, then all undone",
  { skip: process.getuid?.() !== 0 ? "changing a file's group needs root" : false },
  async () => {
    const m = fakeMachine({ rapl: "root-only" });
    try {
      const calls: string[][] = [];
      const run = fakeGroupadd(calls);
      const fixed = await doctor(["--fix", "--group", "ctusers"], m.env, { uid: 0, run });
      assert.equal(fixed.code, 0, fixed.stderr);
      assert.deepEqual(calls, [["groupadd", "--system", "--prefix", m.root, "ctusers"]]);
      assert.match(fixed.stdout, /^# carbontracker doctor --fix: done:\n/);
      const rule = join(m.root, "etc/udev/rules.d/99-carbontracker-rapl.rules");
      assert.equal(readFileSync(rule, "utf8"), `${RULE.join("\n")}\n`);
      assert.equal(statSync(rule).mode & 0o777, 0o644);
      for (const zone of ["intel-rapl:0", "intel-rapl:0:0"]) {
        const file = statSync(join(m.powercap, zone, "energy_uj"));
        assert.equal(file.mode & 0o777, 0o440, zone);
        assert.equal(file.gid, 4242, zone);
      }
      // Running it again changes nothing more and creates no second group.
      assert.equal((await doctor(["--fix", "--group", "ctusers"], m.env, { uid: 0, run })).code, 0);
      assert.equal(calls.length, 1);

      const undone = await doctor(["--unfix", "--group", "ctusers"], m.env, { uid: 0, run });
      assert.equal(undone.code, 0, undone.stderr);
      assert.equal(existsSync(rule), false);
      for (const zone of ["intel-rapl:0", "intel-rapl:0:0"]) {
        const file = statSync(join(m.powercap, zone, "energy_uj"));
        assert.equal(file.mode & 0o777, 0o400, zone);
        assert.equal(file.gid, 0, zone);
      }
      assert.equal(
        undone.stdout,
        [
          "# carbontracker doctor --unfix: done:",
          `rm -f ${rule}`,
          `chgrp root ${m.powercap}/intel-rapl:0/energy_uj`,
          `chmod g-r ${m.powercap}/intel-rapl:0/energy_uj`,
          `chgrp root ${m.powercap}/intel-rapl:0:0/energy_uj`,
          `chmod g-r ${m.powercap}/intel-rapl:0:0/energy_uj`,
          "# Group ctusers is kept (its members may use it elsewhere); delete it with: groupdel ctusers",
          "",
        ].join("\n"),
      );
      const again = await doctor(["--unfix", "--group", "ctusers"], m.env, { uid: 0, run });
      assert.match(again.stdout, /# Nothing to undo: no carbontracker rule is installed\./);
    } finally {
      m.cleanup();
    }
  },
);

test("--fix as an ordinary user is refused (exit 2) and touches nothing", async () => {
  const m = fakeMachine({ rapl: "root-only" });
  try {
    const run = await doctor(["--fix"], m.env, { uid: 1000 });
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      "carbontracker doctor: --fix changes system files and must run as root: sudo carbontracker doctor --fix (or add --dry-run to see what it would do)\n",
    );
    assert.equal(existsSync(join(m.root, "etc/udev")), false);
  } finally {
    m.cleanup();
  }
});

test("--fix without RAPL files is an error that says why", async () => {
  const m = fakeMachine({ rapl: "missing" });
  try {
    const run = await doctor(["--fix", "--dry-run"], m.env);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /no RAPL energy files \(intel-rapl\*\/energy_uj\) under .*: nothing to open up/);
    const bad = await doctor(["--fix", "--dry-run", "--group", "Bad Group"], m.env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--group: 'Bad Group' is not a valid group name/);
  } finally {
    m.cleanup();
  }
});

test(
  "--fix with the real groupadd creates the group inside the temporary root only",
  {
    skip:
      process.getuid?.() !== 0
        ? "changing a file's group needs root"
        : !["/usr/sbin/groupadd", "/sbin/groupadd"].some((p) => existsSync(p))
          ? "groupadd is not installed"
          : false,
  },
  async () => {
    const m = fakeMachine({ rapl: "root-only" });
    try {
      const env = { ...m.env, PATH: `${m.env.PATH ?? ""}:/usr/sbin:/sbin` };
      const run = await doctor(["--fix"], env, { uid: 0 });
      assert.equal(run.code, 0, run.stderr);
      const line = readFileSync(join(m.root, "etc", "group"), "utf8")
        .split("\n")
        .find((l) => l.startsWith("carbontracker:"));
      assert.ok(line, "group written to the temporary root's /etc/group");
      const gid = Number(line.split(":")[2]);
      assert.equal(statSync(join(m.powercap, "intel-rapl:0", "energy_uj")).gid, gid);
    } finally {
      m.cleanup();
    }
  },
);
