/** `main` on a thread of its own, for a generation that needs a deeper stack than the main thread's (cli.ts). */
import { parentPort, workerData } from "node:worker_threads";
import { main } from "./cli.js";

parentPort!.postMessage(await main((workerData as { argv: string[] }).argv));
