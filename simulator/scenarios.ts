/**
 * Scenario loading: built-in names or files, validated, then compiled into a TwinModel (the
 * workload is turned into arrivals by workloads/scenario-workload.ts). Built-in tenant scenarios
 * are YAML files in simulator/scenarios/ (copy one to start your own); provider-view built-ins
 * come from simulator/provider/.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { HOST_SIZES, type HostSizeSpec } from "./catalogue/host-sizes.ts";
import { POWER_CURVES } from "./catalogue/power-curves.ts";
import { TwinModel, type HostSpec } from "./model.ts";
import { packagePath } from "./package-root.ts";
import { compileObjective, type Objective } from "./objective.ts";
import { checkPowerCurve, energyShare } from "./power.ts";
import {
  ScenarioError,
  readScenarioFile,
  validateTenantScenario,
  type TenantScenario,
} from "./scenario.ts";
import {
  APP_CATALOGUES,
  DEFAULT_APP_ASSUMPTIONS,
  imageClassifierApp,
  type AppSpec,
} from "./catalogue/applications.ts";

const SCENARIO_DIR = packagePath("simulator", "scenarios");

export function builtinTenantNames(): string[] {
  return readdirSync(SCENARIO_DIR)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => f.slice(0, -5))
    .sort();
}

export function builtinTenantFile(name: string): string {
  return path.join(SCENARIO_DIR, `${name}.yaml`);
}

/** Reads and validates a tenant scenario given as a built-in name or a file path. */
export function loadTenantScenario(nameOrFile: string): { scenario: TenantScenario; source: string } {
  const builtin = builtinTenantNames().includes(nameOrFile);
  const file = builtin ? builtinTenantFile(nameOrFile) : nameOrFile;
  const source = builtin ? `built-in scenario ${nameOrFile}` : nameOrFile;
  const raw = readScenarioFile(file);
  return { scenario: validateTenantScenario(raw, builtin ? `${nameOrFile}.yaml` : nameOrFile), source };
}

/** Compiles a validated scenario into the twin's model; `where` prefixes errors (the file). */
export function buildTwinModel(s: TenantScenario, where: string): TwinModel {
  const sizes: Record<string, HostSizeSpec> = { ...HOST_SIZES };
  const customCurves = new Map<string, readonly number[]>();
  const sizeCores = new Map<string, number>();
  (s.sizes ?? []).forEach((c, ci) => {
    if (sizes[c.name]) throw new ScenarioError(`${where}: sizes[${ci}].name: size "${c.name}" is already defined`);
    if (c.credits) {
      // The base rate is where spending equals earning: creditsPerHour / 60 / vCPUs (as a share).
      const derived = (100 * c.credits.creditsPerHour) / 60 / c.vcpus;
      if (Math.abs(derived - c.credits.basePercent) > 0.5) {
        throw new ScenarioError(
          `${where}: sizes[${ci}].credits: basePercent ${c.credits.basePercent} does not match creditsPerHour ${c.credits.creditsPerHour} on ${c.vcpus} vCPU(s), which earns a base of ${Math.round(derived * 100) / 100} %`,
        );
      }
    }
    if (Array.isArray(c.powerCurve)) customCurves.set(c.name, c.powerCurve);
    else if (!POWER_CURVES[c.powerCurve]) {
      throw new ScenarioError(`${where}: sizes[${ci}].powerCurve: unknown power curve "${c.powerCurve}" (known: ${Object.keys(POWER_CURVES).join(", ")})`);
    }
    sizes[c.name] = {
      name: c.name,
      vcpus: c.vcpus,
      ramMB: c.ramMB,
      mipsPerVcpu: c.mipsPerVcpu,
      pricePerHour: c.pricePerHour,
      powerCurve: Array.isArray(c.powerCurve) ? c.name : c.powerCurve,
      bootS: c.bootS,
      credits: c.credits,
    };
    if (c.serverCores !== undefined) sizeCores.set(c.name, c.serverCores);
  });
  const hosts: HostSpec[] = [];
  s.hosts.forEach((g, gi) => {
    const size = sizes[g.size];
    if (!size) {
      throw new ScenarioError(`${where}: hosts[${gi}].size: unknown host size "${g.size}" (known: ${Object.keys(sizes).join(", ")})`);
    }
    let curve: readonly number[];
    let curveName = "the scenario's own";
    let curveCores: number | undefined;
    if (Array.isArray(g.powerCurve)) curve = g.powerCurve;
    else if (!g.powerCurve && customCurves.has(size.name)) curve = customCurves.get(size.name)!;
    else {
      const name = g.powerCurve ?? size.powerCurve;
      const spec = POWER_CURVES[name];
      if (!spec) throw new ScenarioError(`${where}: hosts[${gi}].powerCurve: unknown power curve "${name}" (known: ${Object.keys(POWER_CURVES).join(", ")})`);
      curve = spec.watts;
      curveName = `"${name}"`;
      curveCores = spec.cores;
    }
    const bad = checkPowerCurve([...curve]);
    if (bad) throw new ScenarioError(`${where}: hosts[${gi}].powerCurve: ${bad}`);
    let share = 1;
    if (s.energyAttribution === "vcpu-share") {
      const cores = g.serverCores ?? sizeCores.get(size.name) ?? curveCores;
      if (cores === undefined) {
        throw new ScenarioError(
          `${where}: hosts[${gi}].serverCores: energyAttribution vcpu-share needs the core count of the server behind power curve ${curveName}, which the catalogue does not record; set hosts[${gi}].serverCores`,
        );
      }
      if (size.vcpus > cores) {
        throw new ScenarioError(`${where}: hosts[${gi}].serverCores: a ${size.vcpus}-vCPU ${size.name} cannot be a share of a ${cores}-core server`);
      }
      share = energyShare("vcpu-share", size.vcpus, cores);
    }
    const short = g.size.replace(/^Standard_/, "").toLowerCase();
    for (let k = 0; k < g.count; k++) {
      hosts.push({
        name: `${short}-${hosts.length}`,
        size,
        curve,
        bootS: g.bootS ?? size.bootS,
        initiallyOn: g.initial === "on",
        initialCredits: g.initialCredits ?? (size.credits ? size.credits.creditsPerHour : 0),
        energyShare: share,
      });
    }
  });

  let apps: AppSpec[];
  if (s.applications.custom) {
    apps = s.applications.custom.map((a) => ({
      name: a.name,
      variants: a.variants.map((v) => ({ kind: v.kind, accuracy: v.accuracy, parallel: v.parallel, fragments: v.fragments.map((f) => ({ ...f })) })),
    }));
  } else {
    const cat = APP_CATALOGUES[s.applications.catalogue];
    if (!cat) {
      throw new ScenarioError(`${where}: applications.catalogue: unknown catalogue "${s.applications.catalogue}" (known: ${Object.keys(APP_CATALOGUES).join(", ")})`);
    }
    const assumptions = { ...DEFAULT_APP_ASSUMPTIONS, ...s.applications.assumptions };
    apps = cat.map((m) => imageClassifierApp(m, assumptions));
  }
  apps.forEach((a, ai) => {
    if (!a.variants.some((v) => s.applications.variants.includes(v.kind))) {
      throw new ScenarioError(`${where}: applications: application "${a.name}" (${ai}) has none of the allowed variants ${s.applications.variants.join(", ")}`);
    }
  });
  const w = s.workload.appWeights;
  if (w && w.length !== apps.length) {
    throw new ScenarioError(`${where}: workload.appWeights: ${w.length} weights for ${apps.length} applications`);
  }
  return new TwinModel({
    name: s.name,
    intervalS: s.intervalS,
    hosts,
    apps,
    variants: s.applications.variants,
    network: s.network,
    failures: s.failures,
    maxPendingS: s.maxPendingIntervals * s.intervalS,
    admission: s.admission,
    hasForecast: s.forecast !== undefined,
  });
}

/** The scenario's objective, compiled with its economics; errors name `where` (the file). */
export function scenarioObjective(s: TenantScenario, where: string): Objective {
  return compileObjective(s.objective, `${where}: objective`, s.economics);
}
