// The CLI's subcommands, which main.ts dispatches before it reads options.

/** The subcommands main.ts dispatches before parsing options, one line each for --help. */
export const SUBCOMMANDS: readonly { name: string; usage: string; summary: string }[] = [
  {
    name: "doctor",
    usage: "doctor [options]",
    summary: "Check what this machine can measure, and how to fix it.",
  },
  {
    name: "plan",
    usage: "plan --duration <time>",
    summary: "Find the start time with the cleanest forecast grid.",
  },
  {
    name: "agent",
    usage: "agent [options]",
    summary: "Measure this node and its SLURM jobs; serve metrics.",
  },
  {
    name: "dashboard",
    usage: "dashboard [options]",
    summary: "Serve a web dashboard of the runs in the log folders.",
  },
  {
    name: "python-package",
    usage: "python-package",
    summary: "Print the folder of the Python package (for PYTHONPATH or pip install).",
  },
  { name: "help", usage: "help [command]", summary: "Show this help, or the help of a command." },
];
