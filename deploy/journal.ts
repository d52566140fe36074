/**
 * The journal of intended and completed actions: append-only JSON lines, each fsync'ed before the
 * action it announces is called, so after a crash the next session knows every call that may have
 * reached the cloud. An intent without an outcome is an action whose effect is unknown: the next
 * session looks the resource up by its deterministic name and records what it found (adopted or
 * abandoned), so every intent ends with exactly one outcome.
 *
 * A crash in the middle of a write leaves a torn last line: it is cut off when the journal is
 * opened again (it announced nothing that was called: the call comes after the sync).
 */
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from "node:fs";
import path from "node:path";
import { makeDirectories } from "../workloads/output/out-path.ts";

export type ResourceKind = "vm" | "nic" | "ip" | "disk" | "nsg" | "vnet" | "group";
export type JournalOp = "create" | "start" | "deallocate" | "delete";

export interface IntentRecord {
  seq: number;
  t: number;
  kind: "intent";
  op: JournalOp;
  resource: ResourceKind;
  name: string;
  host?: number;
  size?: string;
}

export interface OutcomeRecord {
  seq: number;
  t: number;
  /** done: the call succeeded; failed: it did not; adopted: found after a crash and kept; abandoned: found absent after a crash */
  kind: "done" | "failed" | "adopted" | "abandoned";
  /** seq of the intent this ends */
  ref: number;
  size?: string;
  code?: string;
  note?: string;
}

/** A tagged resource the journal did not know, found by garbage collection. */
export interface FoundRecord {
  seq: number;
  t: number;
  kind: "found";
  resource: ResourceKind;
  name: string;
  host?: number;
  size?: string;
  /** what garbage collection did with it */
  action: "adopted" | "collected";
  note?: string;
}

export interface SessionRecord {
  seq: number;
  t: number;
  kind: "session";
  deployment: string;
  target: string;
  version: string;
}

export type JournalRecord = IntentRecord | OutcomeRecord | FoundRecord | SessionRecord;
type NewRecord = Omit<IntentRecord, "seq" | "t"> | Omit<OutcomeRecord, "seq" | "t"> | Omit<FoundRecord, "seq" | "t"> | Omit<SessionRecord, "seq" | "t">;

/** What the journal says exists: resources created or adopted and not deleted since. */
export interface KnownResource {
  resource: ResourceKind;
  name: string;
  host?: number;
  size?: string;
  /** a VM that was deallocated (still exists, not billed for compute) */
  deallocated?: boolean;
}

export class JournalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JournalError";
  }
}

export class Journal {
  private fd: number;
  private seq = 0;
  readonly records: JournalRecord[] = [];
  /** a torn last line was cut off when the journal was opened */
  readonly repaired: boolean;

  constructor(
    readonly file: string,
    private readonly epochMs: () => number = Date.now,
  ) {
    makeDirectories(path.dirname(file));
    let repaired = false;
    let goodBytes = 0;
    if (existsSync(file)) {
      const text = readFileSync(file, "utf8");
      let at = 0;
      let lineNo = 0;
      while (at < text.length) {
        const nl = text.indexOf("\n", at);
        lineNo++;
        if (nl < 0) {
          repaired = true; // torn write: no newline after the last record
          break;
        }
        const line = text.slice(at, nl);
        let rec: JournalRecord;
        try {
          rec = JSON.parse(line) as JournalRecord;
        } catch {
          // Only the last line may be torn; a bad line in the middle is corruption.
          if (nl + 1 < text.length) throw new JournalError(`${file}:${lineNo}: not a journal record (the journal is damaged; keep it for inspection and run \`cotwin deploy teardown\` to remove what is tagged)`);
          repaired = true;
          break;
        }
        this.records.push(rec);
        this.seq = Math.max(this.seq, rec.seq);
        at = nl + 1;
        goodBytes += Buffer.byteLength(line, "utf8") + 1;
      }
    }
    this.fd = openSync(file, "a", 0o600);
    if (fstatSync(this.fd).size !== goodBytes) {
      ftruncateSync(this.fd, goodBytes);
      fsyncSync(this.fd);
      repaired = true;
    }
    this.repaired = repaired;
  }

  /** Appends a record and syncs it to disk before returning. */
  append(r: NewRecord): JournalRecord {
    const rec = { seq: ++this.seq, t: this.epochMs(), ...r } as JournalRecord;
    writeSync(this.fd, JSON.stringify(rec) + "\n");
    fsyncSync(this.fd);
    this.records.push(rec);
    return rec;
  }

  intent(r: Omit<IntentRecord, "seq" | "t" | "kind">): IntentRecord {
    return this.append({ kind: "intent", ...r }) as IntentRecord;
  }

  outcome(intent: IntentRecord, kind: OutcomeRecord["kind"], extra: Partial<Pick<OutcomeRecord, "size" | "code" | "note">> = {}): OutcomeRecord {
    return this.append({ kind, ref: intent.seq, ...extra }) as OutcomeRecord;
  }

  found(r: Omit<FoundRecord, "seq" | "t" | "kind">): FoundRecord {
    return this.append({ kind: "found", ...r }) as FoundRecord;
  }

  /** Intents with no outcome yet, oldest first. */
  open(): IntentRecord[] {
    const ended = new Set<number>();
    for (const r of this.records) if (r.kind !== "intent" && r.kind !== "found" && r.kind !== "session") ended.add(r.ref);
    return this.records.filter((r): r is IntentRecord => r.kind === "intent" && !ended.has(r.seq));
  }

  /** Resources that exist according to the journal, by name. */
  known(): Map<string, KnownResource> {
    const out = new Map<string, KnownResource>();
    const intents = new Map<number, IntentRecord>();
    for (const r of this.records) {
      if (r.kind === "intent") intents.set(r.seq, r);
      else if (r.kind === "found") {
        if (r.action === "adopted") out.set(r.name, { resource: r.resource, name: r.name, host: r.host, size: r.size });
        else out.delete(r.name);
      } else if (r.kind === "done" || r.kind === "adopted") {
        const i = intents.get(r.ref);
        if (!i) continue;
        if (i.op === "delete") out.delete(i.name);
        else {
          const prev = out.get(i.name);
          out.set(i.name, {
            resource: i.resource,
            name: i.name,
            host: i.host,
            size: r.size ?? i.size ?? prev?.size,
            deallocated: i.op === "deallocate" ? true : undefined,
          });
        }
      } else if (r.kind === "abandoned") {
        const i = intents.get(r.ref);
        if (i && i.op === "create") out.delete(i.name);
      }
    }
    return out;
  }

  /**
   * Consistency: every outcome ends an intent that exists, and no intent ends twice. Returns the
   * problems found (empty when consistent).
   */
  check(): string[] {
    const problems: string[] = [];
    const intents = new Set<number>();
    const ended = new Set<number>();
    for (const r of this.records) {
      if (r.kind === "intent") intents.add(r.seq);
      else if (r.kind === "done" || r.kind === "failed" || r.kind === "adopted" || r.kind === "abandoned") {
        if (!intents.has(r.ref)) problems.push(`record ${r.seq}: ends intent ${r.ref}, which does not exist`);
        if (ended.has(r.ref)) problems.push(`record ${r.seq}: intent ${r.ref} already ended`);
        ended.add(r.ref);
      }
    }
    return problems;
  }

  close(): void {
    if (this.fd >= 0) {
      closeSync(this.fd);
      this.fd = -1;
    }
  }
}
