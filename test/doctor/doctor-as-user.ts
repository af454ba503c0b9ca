// Runs `carbontracker doctor` with this process's arguments and environment and exits with its
// code; doctor tests start it as an unprivileged user (setpriv), where 0400 files really fail.
import { runDoctorCommand } from "../../src/cli/doctor-command.js";

process.exitCode = await runDoctorCommand(process.argv.slice(2), process, process.env);
