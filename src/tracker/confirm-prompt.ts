// The original's stop_and_confirm question after the prediction: "Continue training (y/n)?",
// asked again on anything but y or n. End of input means "continue" (a job without a terminal
// must not stop on a question nobody can see).
import type { PromptEvent } from "./events.js";

/** The user's decision. */
export type ConfirmAnswer = "continue" | "stop";

/** Asks until the answer is y or n; every line asked and answered is an event. */
export async function askToContinue(
  readAnswer: () => Promise<string | undefined>,
  emit: (event: PromptEvent) => void,
): Promise<ConfirmAnswer> {
  emit({ type: "prompt", step: "question" });
  for (;;) {
    const answer = (await readAnswer())?.trim().toLowerCase();
    if (answer === "y") {
      emit({ type: "prompt", step: "continuing" });
      return "continue";
    }
    if (answer === "n") {
      emit({ type: "prompt", step: "quitting" });
      return "stop";
    }
    if (answer === undefined) {
      emit({ type: "prompt", step: "end-of-input" });
      return "continue";
    }
    emit({ type: "prompt", step: "unrecognised" });
  }
}
