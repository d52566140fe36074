import * as tf from "@tensorflow/tfjs";
import { createRequire } from "node:module";
import path from "node:path";

/**
 * Picks the fastest TensorFlow.js backend that actually works here, once per process:
 * 1. @tensorflow/tfjs-node (native; optional dependency, often not installable),
 * 2. @tensorflow/tfjs-backend-wasm (ships its .wasm files; about 5x the pure-JS speed),
 * 3. the pure-JS "cpu" backend.
 * COTWIN_TF_BACKEND=node|wasm|cpu forces a choice (the fallback order still applies if it fails).
 */
export type BackendName = "tensorflow" | "wasm" | "cpu";

let chosen: Promise<BackendName> | null = null;

async function works(): Promise<boolean> {
  await tf.ready();
  // a real kernel run, not just registration
  const v = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0]);
  return v === 3;
}

async function tryNode(): Promise<boolean> {
  try {
    // the name is in a variable so the type checker does not need the optional package
    const name = "@tensorflow/tfjs-node";
    await import(name);
    return (await tf.setBackend("tensorflow")) && (await works());
  } catch {
    return false;
  }
}

async function tryWasm(): Promise<boolean> {
  // The wasm runtime adds process-wide uncaughtException / unhandledRejection handlers that
  // rethrow with its whole minified source; keep the process's own handling instead.
  const before = {
    uncaughtException: process.listeners("uncaughtException"),
    unhandledRejection: process.listeners("unhandledRejection"),
  };
  try {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    const require = createRequire(import.meta.url);
    const dist = path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm"));
    wasm.setWasmPaths(dist + path.sep);
    return (await tf.setBackend("wasm")) && (await works());
  } catch {
    return false;
  } finally {
    for (const l of process.listeners("uncaughtException")) {
      if (!before.uncaughtException.includes(l)) process.removeListener("uncaughtException", l);
    }
    for (const l of process.listeners("unhandledRejection")) {
      if (!before.unhandledRejection.includes(l)) process.removeListener("unhandledRejection", l);
    }
  }
}

async function pick(): Promise<BackendName> {
  const want = (process.env.COTWIN_TF_BACKEND ?? "").toLowerCase();
  if (want === "cpu") {
    await tf.setBackend("cpu");
    await tf.ready();
    return "cpu";
  }
  if (want !== "wasm" && (await tryNode())) return "tensorflow";
  if (await tryWasm()) return "wasm";
  await tf.setBackend("cpu");
  await tf.ready();
  return "cpu";
}

/** Initialises (once) and returns the backend name. */
export function initBackend(): Promise<BackendName> {
  chosen ??= pick();
  return chosen;
}

/** The backend chosen so far, or null before initBackend. */
export async function backendName(): Promise<BackendName | null> {
  return chosen ? chosen : null;
}
