/**
 * Deterministic names and ownership tags. Host h of deployment d is always the VM
 * `cotwin-d-h<h>` with its NIC, public IP and OS disk named after it: a retried create finds the
 * same name (and cannot make a second VM), and a restarted controller finds what the last one
 * made. Every resource created carries the ownership tags; a resource without them is never
 * modified or deleted, whatever its name.
 */
export const TAG_OWNER = "cotwin-owner";
export const TAG_DEPLOYMENT = "cotwin-deployment";
export const TAG_HOST = "cotwin-host";
export const TAG_CREATED = "cotwin-created";
const OWNER = "cotwin";

const DEPLOYMENT_RE = /^[a-z][a-z0-9-]{0,22}[a-z0-9]$|^[a-z]$/;

/** Checks a deployment name (lower case letters, digits, '-'; up to 24 characters); returns a problem or null. */
export function deploymentNameProblem(name: string): string | null {
  if (!DEPLOYMENT_RE.test(name)) return `deployment name "${name}": use 1-24 lower-case letters, digits and '-', starting with a letter`;
  return null;
}

export interface Names {
  vm(h: number): string;
  nic(h: number): string;
  ip(h: number): string;
  disk(h: number): string;
  nsg: string;
  vnet: string;
  subnet: string;
  /** the host a resource name belongs to (-1 if none) */
  hostOf(name: string): number;
}

export function names(deployment: string): Names {
  const p = `cotwin-${deployment}`;
  return {
    vm: (h) => `${p}-h${h}`,
    nic: (h) => `${p}-h${h}-nic`,
    ip: (h) => `${p}-h${h}-ip`,
    disk: (h) => `${p}-h${h}-osdisk`,
    nsg: `${p}-nsg`,
    vnet: `${p}-vnet`,
    subnet: "workers",
    hostOf(name) {
      const m = name.startsWith(`${p}-h`) ? /^-h(\d+)(-nic|-ip|-osdisk)?$/.exec(name.slice(p.length)) : null;
      return m ? Number(m[1]) : -1;
    },
  };
}

/** Tags of a resource the deployment creates; extra tags (Azure Policy may demand some) never replace ours. */
export function ownedTags(deployment: string, createdEpochMs: number, extra: Record<string, string>, host?: number): Record<string, string> {
  const t: Record<string, string> = { ...extra, [TAG_OWNER]: OWNER, [TAG_DEPLOYMENT]: deployment, [TAG_CREATED]: new Date(createdEpochMs).toISOString() };
  if (host !== undefined) t[TAG_HOST] = String(host);
  return t;
}

/** True only for resources tagged as this deployment's. */
export function isOurs(tags: Record<string, string> | undefined, deployment: string): boolean {
  return tags?.[TAG_OWNER] === OWNER && tags?.[TAG_DEPLOYMENT] === deployment;
}

/** When a tagged resource was created (ms since the epoch), from its tag; NaN when unreadable. */
export function createdAt(tags: Record<string, string> | undefined): number {
  const v = tags?.[TAG_CREATED];
  return v ? Date.parse(v) : NaN;
}

/** Checks extra tags from the config: Azure's limits on names and values. */
export function extraTagsProblem(tags: Record<string, string>): string | null {
  const keys = Object.keys(tags);
  if (keys.length > 40) return `at most 40 extra tags (Azure allows 50 per resource, cotwin uses 4), got ${keys.length}`;
  for (const k of keys) {
    if (k.length === 0 || k.length > 512 || /[<>%&\\?/]/.test(k)) return `tag name "${k}": 1-512 characters, none of < > % & \\ ? /`;
    if (k.startsWith("cotwin-")) return `tag name "${k}": names starting with cotwin- are cotwin's own`;
    if (String(tags[k]).length > 256) return `tag "${k}": value longer than 256 characters`;
  }
  return null;
}
