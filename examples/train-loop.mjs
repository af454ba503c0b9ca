// An example "training loop" for README command 1: three epochs of real CPU work that mark
// their epochs through carbontracker's IPC client, so the wrapper predicts after the first.
// Run it under the tracker: npx carbontracker --epochs 3 node examples/train-loop.mjs
import { epochStart, epochEnd } from "carbontracker/ipc";

function trainOneEpoch(seconds) {
  // Stand-in for a training step: dense arithmetic on the CPU for `seconds`.
  const until = Date.now() + seconds * 1000;
  let x = 0;
  while (Date.now() < until) {
    for (let i = 0; i < 1e5; i++) x += Math.sqrt(i) * Math.sin(i);
  }
  return x;
}

const epochs = 3;
for (let epoch = 1; epoch <= epochs; epoch++) {
  epochStart();
  trainOneEpoch(1.5);
  epochEnd();
  console.log(`example: finished epoch ${epoch}/${epochs}`);
}
