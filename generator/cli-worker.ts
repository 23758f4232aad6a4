/** `main` on the generation thread (generation-thread.ts): a deep stack and a small young generation. */
import { parentPort, workerData } from "node:worker_threads";
import { main } from "./cli.js";

parentPort!.postMessage(await main((workerData as { argv: string[] }).argv));
