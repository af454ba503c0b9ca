import { writeFolder } from "./dashboard.bench.js";
writeFolder(process.argv[2]!, Number(process.argv[3]));
