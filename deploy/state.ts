/**
 * A deployment's local state: its directory under the state directory holds the journal and the
 * deployment's secret token (made once, readable by the owner only, never printed), so a
 * restarted controller talks to the same workers and knows what the last session did.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { makeDirectories } from "../workloads/output/out-path.ts";

export interface DeploymentState {
  dir: string;
  journalFile: string;
  token: string;
  /** the token was made now (a new deployment) */
  fresh: boolean;
}

export function deploymentState(stateDir: string, deployment: string, target: string): DeploymentState {
  const dir = path.join(stateDir, "deployments", `${deployment}.${target}`);
  makeDirectories(dir, 0o700);
  const tokenFile = path.join(dir, "token");
  let fresh = false;
  if (!existsSync(tokenFile)) {
    writeFileSync(tokenFile, randomBytes(32).toString("base64url") + "\n", { mode: 0o600, flag: "wx" });
    fresh = true;
  }
  chmodSync(tokenFile, 0o600);
  const token = readFileSync(tokenFile, "utf8").trim();
  if (token.length < 32) throw new Error(`${tokenFile}: the deployment's token is damaged (too short); remove the file to make a new one`);
  return { dir, journalFile: path.join(dir, "journal.jsonl"), token, fresh };
}
