/**
 * The deploy config file (YAML or JSON, `--config`): settings an operator keeps per subscription
 * rather than typing each time. Flags override it. The schema is the single source of the type
 * and of the error messages (file and key named).
 */
import { z } from "zod";
import { formatIssues, parseScenarioText, ScenarioError } from "../simulator/scenario.ts";
import { readFileSync } from "node:fs";

const cidr = z.string().regex(/^(\d{1,3}\.){3}\d{1,3}(\/\d{1,2})?$/, "an IPv4 address or CIDR, e.g. 203.0.113.7 or 203.0.113.0/24");

export const deployConfigSchema = z.strictObject({
  deployment: z.string().optional(),
  stateDir: z.string().optional(),
  subscription: z.string().optional(),
  resourceGroup: z.string().optional(),
  location: z.string().optional(),
  /** the controller's public IPv4 address: the only source the workers' security group admits */
  controllerAddress: cidr.optional(),
  /** open SSH (port 22) from this address range; closed when absent */
  sshFrom: cidr.optional(),
  /** an OpenSSH public key file for the VMs' admin user (default: a throwaway key, nobody can log in) */
  sshPublicKey: z.string().optional(),
  /** extra tags on every resource (for subscriptions whose Azure Policy demands some) */
  tags: z.record(z.string(), z.string()).optional(),
  workerPort: z.number().int().min(1024).max(65535).optional(),
  maxVms: z.number().int().positive().optional(),
  maxUsdPerHour: z.number().positive().optional(),
  /** garbage collection's grace period, s */
  gcGraceS: z.number().nonnegative().optional(),
});
export type DeployConfig = z.infer<typeof deployConfigSchema>;

export function loadDeployConfig(file: string): DeployConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ScenarioError(`${file}: cannot read the deploy config (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const raw = parseScenarioText(text, file);
  const r = deployConfigSchema.safeParse(raw ?? {});
  if (!r.success) throw new ScenarioError(formatIssues(file, r.error.issues));
  return r.data;
}

/** Normalises an address to CIDR (a bare address is /32). */
export function asCidr(a: string): string {
  return a.includes("/") ? a : `${a}/32`;
}
