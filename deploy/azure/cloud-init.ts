/**
 * The cloud-init user data that turns a fresh Ubuntu VM into a cotwin worker: it writes the
 * bundled worker (dist/deploy/testbed/worker.js and the chunks it imports), a root-only config
 * with the deployment's token, and a systemd unit; installs Node.js and onnxruntime-node; starts
 * the worker. The token travels only inside this user data (Azure's customData), never in a log.
 */
import { readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { packagePath } from "../../simulator/package-root.ts";

/** Azure accepts customData up to 64 KiB (before base64). */
export const CUSTOM_DATA_LIMIT = 65_535;

export interface WorkerBundle {
  /** path inside /opt/cotwin -> file text */
  files: Map<string, string>;
  entry: string;
}

/** The bundled worker and every chunk it imports (the build splits shared code into chunks). */
export function readWorkerBundle(dist = packagePath("dist")): WorkerBundle {
  const entry = "deploy/testbed/worker.js";
  const first = path.join(dist, entry);
  if (!existsSync(first)) throw new Error(`${first} is missing: build cotwin first (npm run build); the VMs run the bundled worker`);
  const files = new Map<string, string>();
  const visit = (rel: string): void => {
    if (files.has(rel)) return;
    const text = readFileSync(path.join(dist, rel), "utf8");
    files.set(rel, text);
    for (const m of text.matchAll(/(?:from\s*|import\s*\(\s*|import\s+)["'](\.{1,2}\/[^"']+\.js)["']/g)) {
      visit(path.posix.normalize(path.posix.join(path.posix.dirname(rel), m[1])));
    }
  };
  visit(entry);
  return { files, entry };
}

export interface CloudInitSpec {
  bundle: WorkerBundle;
  token: string;
  host: number;
  vcpus: number;
  port: number;
  /** onnxruntime-node version to install (the one cotwin was tested with) */
  onnxruntimeVersion: string;
  onnxProtoVersion: string;
}

function b64gz(text: string): string {
  return gzipSync(Buffer.from(text, "utf8"), { level: 9 }).toString("base64");
}

/** The #cloud-config document (YAML; JSON-quoted strings are valid YAML). */
export function cloudConfig(s: CloudInitSpec): string {
  const q = JSON.stringify;
  const files: string[] = [];
  for (const [rel, text] of s.bundle.files) {
    files.push(`  - path: ${q(`/opt/cotwin/${rel}`)}\n    encoding: gz+b64\n    permissions: '0644'\n    content: ${b64gz(text)}`);
  }
  files.push(`  - path: /opt/cotwin/package.json\n    permissions: '0644'\n    content: ${q(JSON.stringify({ name: "cotwin-worker", private: true, type: "module" }))}`);
  const config = JSON.stringify({ token: s.token, host: s.host, vcpus: s.vcpus, listen: "0.0.0.0", port: s.port });
  files.push(`  - path: /etc/cotwin/worker.json\n    permissions: '0600'\n    owner: root:root\n    content: ${q(config)}`);
  const unit = [
    "[Unit]",
    "Description=cotwin worker",
    "After=network-online.target",
    "[Service]",
    "WorkingDirectory=/opt/cotwin",
    `ExecStart=/usr/bin/node /opt/cotwin/${s.bundle.entry} --config /etc/cotwin/worker.json`,
    "Restart=always",
    "RestartSec=2",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
  files.push(`  - path: /etc/systemd/system/cotwin-worker.service\n    permissions: '0644'\n    content: ${q(unit)}`);
  const install = `cd /opt/cotwin && ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund --omit=dev onnxruntime-node@${s.onnxruntimeVersion} onnx-proto@${s.onnxProtoVersion} && systemctl daemon-reload && systemctl enable --now cotwin-worker`;
  return ["#cloud-config", "package_update: true", "packages: [nodejs, npm]", "write_files:", ...files, "runcmd:", `  - [sh, -c, ${q(install)}]`, ""].join("\n");
}

export class CustomDataTooLarge extends Error {
  constructor(bytes: number) {
    super(`the worker's cloud-init user data is ${bytes} bytes, above Azure's ${CUSTOM_DATA_LIMIT}-byte customData limit`);
    this.name = "CustomDataTooLarge";
  }
}

/** Azure's customData: the cloud-config, base64-encoded; refused when above Azure's limit. */
export function customData(s: CloudInitSpec): string {
  const doc = cloudConfig(s);
  const bytes = Buffer.byteLength(doc, "utf8");
  if (bytes > CUSTOM_DATA_LIMIT) throw new CustomDataTooLarge(bytes);
  return Buffer.from(doc, "utf8").toString("base64");
}
