import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createFakeNvml, type FakeGpu } from "../../helpers/fake-nvml.js";
import { a100, deviceNames, openNvml, openReader } from "./nvml-test-kit.js";

const fake = createFakeNvml();
after(() => fake.cleanup());

/** Four identical boards with UUIDs GPU-0000…, GPU-1111…, and so on. */
function node(extra: (i: number) => Partial<FakeGpu> = () => ({})): FakeGpu[] {
  return [0, 1, 2, 3].map((i) =>
    a100(i, { uuid: `GPU-${String(i).repeat(8)}-5f3d-4a09-9c1e-2d7f0b3a4e51`, ...extra(i) }),
  );
}
const A100 = "NVIDIA A100-SXM4-40GB";

async function selected(env: Record<string, string>, gpus = node()): Promise<string[]> {
  fake.write({ gpus });
  const { reader } = await openReader(fake.library, env);
  const names = deviceNames(reader);
  reader.close();
  return names;
}

test("without CUDA_VISIBLE_DEVICES, SLURM or devicesByPid every GPU is measured", async () => {
  assert.deepEqual(
    await selected({}),
    [0, 1, 2, 3].map((i) => `${A100} (GPU ${i})`),
  );
});

test("an empty CUDA_VISIBLE_DEVICES means no GPU", async () => {
  for (const value of ["", "  "]) {
    fake.write({ gpus: node() });
    const opened = await openNvml(fake.library, { CUDA_VISIBLE_DEVICES: value });
    assert.equal(opened.reader, undefined);
    assert.equal(opened.skip?.reason, "CUDA_VISIBLE_DEVICES is set and empty: no GPU is visible to this job");
  }
});

test("CUDA_VISIBLE_DEVICES indices select GPUs in the order given, spaces allowed", async () => {
  assert.deepEqual(await selected({ CUDA_VISIBLE_DEVICES: "0,2" }), [`${A100} (GPU 0)`, `${A100} (GPU 2)`]);
  assert.deepEqual(await selected({ CUDA_VISIBLE_DEVICES: "2,0" }), [`${A100} (GPU 2)`, `${A100} (GPU 0)`]);
  assert.deepEqual(await selected({ CUDA_VISIBLE_DEVICES: " 1 , 3 " }), [
    `${A100} (GPU 1)`,
    `${A100} (GPU 3)`,
  ]);
  assert.deepEqual(await selected({ CUDA_VISIBLE_DEVICES: "3" }), [A100]);
});

test("an invalid CUDA_VISIBLE_DEVICES entry hides itself and everything after it, as CUDA does", async () => {
  fake.write({ gpus: node() });
  const { reader, notices } = await openReader(fake.library, { CUDA_VISIBLE_DEVICES: "0,-1,1" });
  assert.deepEqual(deviceNames(reader), [A100]);
  assert.equal(reader.devices()[0]?.details?.nvml_index, 0);
  assert.ok(
    notices.some(
      (n) =>
        n.message ===
        "CUDA_VISIBLE_DEVICES entry '-1' is ignored (not an index, GPU-UUID or MIG-UUID), and so is every entry after it as CUDA does (1).",
    ),
  );
  reader.close();
  const outOfRange = await openNvml(fake.library, { CUDA_VISIBLE_DEVICES: "7" });
  assert.equal(outOfRange.skip?.reason, "CUDA_VISIBLE_DEVICES=7 selects no GPU that NVML can open");
  assert.equal(
    outOfRange.notices[0]?.message,
    "CUDA_VISIBLE_DEVICES entry '7' is ignored (no GPU has this index).",
  );
});

test("CUDA_VISIBLE_DEVICES GPU UUIDs select by full UUID or unique prefix", async () => {
  const full = "GPU-22222222-5f3d-4a09-9c1e-2d7f0b3a4e51";
  assert.deepEqual(await selected({ CUDA_VISIBLE_DEVICES: `${full},GPU-0000` }), [
    `${A100} (GPU 2)`,
    `${A100} (GPU 0)`,
  ]);
  fake.write({ gpus: node() });
  const ambiguous = await openNvml(fake.library, { CUDA_VISIBLE_DEVICES: "GPU-1111,GPU-" });
  assert.deepEqual(
    ambiguous.reader?.devices().map((d) => d.details?.uuid),
    ["GPU-11111111-5f3d-4a09-9c1e-2d7f0b3a4e51"],
  );
  assert.ok(
    ambiguous.notices.some((n) =>
      n.message.includes("'GPU-' is ignored (the UUID prefix matches several GPUs)"),
    ),
  );
  ambiguous.reader?.close();
});

test("a MIG UUID is measured through its parent GPU, once, and the log says so", async () => {
  const migA = "MIG-c6d4f1e3-9a7b-5d2c-8e1f-0a3b4c5d6e7f";
  const migB = "MIG-d7e5a2f4-0b8c-6e3d-9f2a-1b4c5d6e7f80";
  const gpus = node((i) =>
    i === 1
      ? {
          migs: [
            { slot: 0, uuid: migA },
            { slot: 3, uuid: migB },
          ],
        }
      : {},
  );
  for (const value of [migA, "MIG-c6d4f1e3", `${migA},${migB}`]) {
    fake.write({ gpus });
    const { reader, notices } = await openReader(fake.library, { CUDA_VISIBLE_DEVICES: value });
    assert.deepEqual(deviceNames(reader), [A100], value);
    const [device] = reader.devices();
    assert.equal(device?.details?.nvml_index, 1);
    const migs = value.includes(",") ? [migA, migB] : [migA];
    assert.deepEqual(device?.details?.mig_instances, migs);
    assert.ok(
      notices.some(
        (n) =>
          n.level === "warning" &&
          n.message ===
            `MIG instance(s) ${migs.join(", ")} are measured through their parent GPU ${A100} (GPU-11111111-5f3d-4a09-9c1e-2d7f0b3a4e51): NVML reports power and energy per physical GPU, so the figures include every instance on it.`,
      ),
      value,
    );
    // Energy comes from the parent's counter (a MIG handle has none).
    assert.equal(device?.provenance, "counter");
    reader.close();
  }
});

test("a legacy MIG-GPU-<uuid>/<gi>/<ci> identifier also resolves to its parent GPU", async () => {
  const names = await selected({ CUDA_VISIBLE_DEVICES: "MIG-GPU-33333333-5f3d-4a09-9c1e-2d7f0b3a4e51/1/0" });
  assert.deepEqual(names, [A100]);
});

test("under a device cgroup CUDA index 0 is the first GPU this process can open", async () => {
  const gpus = node((i) => (i === 2 ? {} : { handleRc: 4 }));
  fake.write({ gpus });
  const { reader, notices } = await openReader(fake.library, { CUDA_VISIBLE_DEVICES: "0" });
  assert.equal(reader.devices()[0]?.details?.nvml_index, 2);
  assert.deepEqual(
    notices.filter((n) => n.level !== "info"),
    [],
    "GPUs of other jobs are not warned about",
  );
  reader.close();
});

test("a GPU whose handle fails (not NO_PERMISSION) keeps its index: the GPUs after it keep theirs", async () => {
  // GPU 1 is lost (NVML_ERROR_GPU_IS_LOST, 15): it is still this process's GPU 1, for CUDA too.
  const gpus = node((i) => (i === 1 ? { handleRc: 15 } : {}));
  fake.write({ gpus });
  const later = await openReader(fake.library, { CUDA_VISIBLE_DEVICES: "2,3" });
  assert.deepEqual(
    later.reader.devices().map((d) => d.details?.nvml_index),
    [2, 3],
  );
  assert.deepEqual(
    later.notices.filter((n) => n.level !== "info").map((n) => n.message),
    [
      "NVML GPU 1 cannot be opened (nvmlDeviceGetHandleByIndex_v2: GPU is lost (code 15)): it is not measured.",
    ],
  );
  later.reader.close();

  const { reader, notices } = await openReader(fake.library, { CUDA_VISIBLE_DEVICES: "1,2" });
  assert.deepEqual(deviceNames(reader), [A100], "the lost GPU is skipped, GPU 2 is still measured");
  assert.equal(reader.devices()[0]?.details?.nvml_index, 2);
  assert.ok(
    notices.some(
      (n) =>
        n.level === "warning" &&
        n.message ===
          "CUDA_VISIBLE_DEVICES entry '1' is skipped: NVML GPU 1 cannot be opened (nvmlDeviceGetHandleByIndex_v2: GPU is lost (code 15)). The other entries keep their GPUs.",
    ),
    JSON.stringify(notices),
  );
  reader.close();

  // SLURM ids name NVML indices: GPU 1 is the lost one, not a sign of ConstrainDevices renumbering.
  const slurm = await openReader(fake.library, { SLURM_STEP_GPUS: "1,2,3" });
  assert.deepEqual(
    slurm.reader.devices().map((d) => d.details?.nvml_index),
    [2, 3],
  );
  assert.ok(
    slurm.notices.some((n) => n.message.startsWith("SLURM_STEP_GPUS entry '1' is skipped: NVML GPU 1")),
  );
  slurm.reader.close();
});

test("different GPU models with indices and no CUDA_DEVICE_ORDER=PCI_BUS_ID get a warning", async () => {
  const gpus = [a100(0), { ...a100(1), name: "Tesla T4", uuid: "GPU-t4" }];
  fake.write({ gpus });
  const warned = await openReader(fake.library, { CUDA_VISIBLE_DEVICES: "1" });
  assert.ok(warned.notices.some((n) => n.message.includes("set it so the GPUs measured are the GPUs used")));
  warned.reader.close();
  const ordered = await openReader(fake.library, {
    CUDA_VISIBLE_DEVICES: "1",
    CUDA_DEVICE_ORDER: "PCI_BUS_ID",
  });
  assert.ok(!ordered.notices.some((n) => n.message.includes("CUDA_DEVICE_ORDER")));
  assert.deepEqual(deviceNames(ordered.reader), ["Tesla T4"]);
  ordered.reader.close();
});

test("SLURM_STEP_GPUS, else SLURM_JOB_GPUS, pick global GPU ids when CUDA_VISIBLE_DEVICES is unset", async () => {
  assert.deepEqual(await selected({ SLURM_STEP_GPUS: "2,3" }), [`${A100} (GPU 2)`, `${A100} (GPU 3)`]);
  assert.deepEqual(await selected({ SLURM_JOB_GPUS: "1" }), [A100]);
  assert.deepEqual(await selected({ SLURM_STEP_GPUS: "3", SLURM_JOB_GPUS: "0,1,2,3" }), [A100]);
  // CUDA_VISIBLE_DEVICES wins.
  fake.write({ gpus: node() });
  const both = await openReader(fake.library, { CUDA_VISIBLE_DEVICES: "0", SLURM_STEP_GPUS: "2" });
  assert.equal(both.reader.devices()[0]?.details?.nvml_index, 0);
  assert.equal(both.reader.devices()[0]?.details?.selected_by, "CUDA_VISIBLE_DEVICES=0");
  both.reader.close();
});

test("with ConstrainDevices the job's GPU is measured, never NVML index = the global SLURM id", async () => {
  // NVML inside the job sees one GPU (index 0); SLURM_STEP_GPUS=2 is its global id.
  fake.write({ gpus: [node()[2] as FakeGpu] });
  const { reader } = await openReader(fake.library, { SLURM_STEP_GPUS: "2" });
  assert.deepEqual(
    reader.devices().map((d) => d.details?.uuid),
    ["GPU-22222222-5f3d-4a09-9c1e-2d7f0b3a4e51"],
  );
  reader.close();
  // Same when NVML counts all four but may open only the job's.
  fake.write({ gpus: node((i) => (i === 2 ? {} : { handleRc: 4 })) });
  const counted = await openReader(fake.library, { SLURM_STEP_GPUS: "2" });
  assert.deepEqual(
    counted.reader.devices().map((d) => d.details?.nvml_index),
    [2],
  );
  counted.reader.close();
});

function procTree(withChildrenFiles: boolean): string {
  const root = mkdtempSync(join(fake.dir, "proc-"));
  const tree: [number, number, number[]][] = [
    [1000, 1, [1001]],
    [1001, 1000, [1002]],
    [1002, 1001, []],
    [555, 1, []],
  ];
  for (const [pid, ppid, children] of tree) {
    mkdirSync(join(root, String(pid), "task", String(pid)), { recursive: true });
    writeFileSync(
      join(root, String(pid), "stat"),
      `${pid} (python3 (worker) x) S ${ppid} ${pid} ${pid} 0 -1\n`,
    );
    if (withChildrenFiles) {
      writeFileSync(
        join(root, String(pid), "task", String(pid), "children"),
        children.map((c) => `${c} `).join(""),
      );
    }
  }
  return root;
}

test("devicesByPid measures the GPUs running a process of the tracked tree (compute or graphics)", async () => {
  for (const withChildrenFiles of [true, false]) {
    const gpus = node(
      (i) =>
        [{ computePids: [555] }, { computePids: [1002] }, {}, { graphicsPids: [777, 1001] }][
          i
        ] as Partial<FakeGpu>,
    );
    fake.write({ gpus });
    const { reader } = await openReader(
      fake.library,
      { CARBONTRACKER_PROC_ROOT: procTree(withChildrenFiles) },
      { pid: 1000, devicesByPid: true },
    );
    assert.deepEqual(
      deviceNames(reader),
      [`${A100} (GPU 1)`, `${A100} (GPU 3)`],
      `children files: ${withChildrenFiles}`,
    );
    assert.equal(
      reader.devices()[0]?.details?.selected_by,
      "devicesByPid (process 1000 and 2 descendant(s))",
    );
    reader.close();
  }
});

test("devicesByPid reads process lists written with the 32-byte stride of some R535 drivers", async () => {
  fake.write({
    stride: 32,
    gpus: node((i) => (i === 2 ? { computePids: [777, 888, 1002] } : { computePids: [777, 888] })),
  });
  const { reader } = await openReader(
    fake.library,
    { CARBONTRACKER_PROC_ROOT: procTree(true) },
    { pid: 1000, devicesByPid: true },
  );
  assert.deepEqual(
    reader.devices().map((d) => d.details?.nvml_index),
    [2],
  );
  reader.close();
});

test("devicesByPid with no GPU running the tree yet measures all GPUs and says why", async () => {
  fake.write({ gpus: node((i) => (i === 0 ? { procsRc: 4 } : {})) });
  const { reader, notices } = await openReader(
    fake.library,
    { CARBONTRACKER_PROC_ROOT: procTree(true) },
    { pid: 1000, devicesByPid: true },
  );
  assert.equal(reader.devices().length, 4);
  assert.ok(
    notices.some((n) =>
      n.message.startsWith(
        "devicesByPid: no GPU runs a process of the tracked tree (process 1000) yet, so all 4 GPU(s) are measured.",
      ),
    ),
  );
  assert.ok(
    notices.some(
      (n) =>
        n.message ===
        `The compute processes of GPU 0 (${A100}) cannot be listed (Insufficient Permissions (code 4)).`,
    ),
  );
  reader.close();
});
