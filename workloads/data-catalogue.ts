/**
 * The public trace samples cotwin's tests and examples use, with where they come from.
 *
 * URLs are raw.githubusercontent.com addresses built from the repository, branch and path given in
 * the shared data README. They could not be checked from the build machine (no internet): the
 * branch names (master for the OpenDC and Azure repositories, main for the two smaller ones) and
 * paths are the documented ones, and repositories do move files. The sizes and SHA-256 sums are
 * those of the copies the project was developed with, so a download that differs fails loudly
 * instead of changing test results quietly. If a URL breaks, fix `ref` or `path` here, or serve a
 * mirror laid out like the data directory and pass --base-url.
 */
export interface DatasetFile {
  /** path inside the data directory (and inside a --base-url mirror) */
  path: string;
  /** upstream address */
  url: string;
  bytes: number;
  sha256: string;
}

export interface Dataset {
  name: string;
  description: string;
  licence: string;
  files: DatasetFile[];
}

function github(repo: string, ref: string, repoPath: string): string {
  return `https://raw.githubusercontent.com/${repo}/${ref}/${repoPath}`;
}

const OPENDC = "atlarge-research/opendc";
const OPENDC_RESOURCES = "opendc-trace/opendc-trace-api/src/test/resources";

const googleFiles: [string, number, string][] = [
  ["159-300000000-2678700000000.csv", 1537749, "8edf38f83dabf3e92afca60f57ce049f56aeddb8590d5e06a6783f6e9c7610f5"],
  ["75-300000000-2678700000000.csv", 2685105, "da5e0f0e411b215a764c36c126239ad1168bd96fd2be44420fd6753ccb9e674c"],
  ["78-300000000-2678700000000.csv", 2049401, "769f3f7b06a74a5a7ec46eb05a6729872cbf2074233a5ae40868167d8c2f2cdc"],
  ["82-300000000-1909049000000.csv", 3069235, "696d9db0eb87cbc18e25d3a77c95a282130e11c48266c17f4294148ef9abb965"],
  ["85-300000000-2678700000000.csv", 2943030, "3f0ca8c768df64078acc6525b6294540e95705e6c4f51261a5ff5a74fac06fe6"],
  ["88-300000000-2491800000000.csv", 2349705, "8ed9f295a13cee8d6ed0bea1cad56926fe9298afea0eb0c8154522e239060c90"],
];

export const DATASETS: readonly Dataset[] = [
  {
    name: "google2019",
    description: "Google cluster trace 2019, job 113: 6 tasks, 5-minute CPU/memory usage",
    licence: "repository MIT; trace CC-BY-4.0 (Google)",
    files: googleFiles.map(([f, bytes, sha256]) => ({
      path: `google2019/job113/${f}`,
      url: github("muse-research-lab/cloud-forecast-lstm", "main", `docs/113/${f}`),
      bytes,
      sha256,
    })),
  },
  {
    name: "vm-load",
    description: "hourly load of one VM, 2013-2014 (-1 = missing)",
    licence: "MIT",
    files: [{
      path: "vm-load/aa.txt",
      url: github("Amirrezahmi/LSTM-based-VM-Load-Prediction", "main", "aa.txt"),
      bytes: 317478,
      sha256: "c8b7d99eeaf9a8ce73805be0acd6058440d044198e038fb4c0d90785efec8d9b",
    }],
  },
  {
    name: "bitbrains",
    description: "Bitbrains GWA-T-12 VM trace sample, 5-minute samples",
    licence: "MIT",
    files: [{
      path: "bitbrains/bitbrains.csv",
      url: github(OPENDC, "master", `${OPENDC_RESOURCES}/bitbrains/bitbrains.csv`),
      bytes: 1010846,
      sha256: "89ab899a39596ca5b95f6e1bd668f0ef1c675014cf5baca817b341d6bd77c6eb",
    }],
  },
  {
    name: "azure-vm-2019",
    description: "Azure Public Dataset V2 sample: CPU readings and VM table",
    licence: "MIT (repository); dataset CC-BY-4.0 (Microsoft)",
    files: [
      {
        path: "azure-vm-2019/vm_cpu_readings-file-1-of-125.csv.gz",
        url: github(OPENDC, "master", `${OPENDC_RESOURCES}/azure/trace/vm_cpu_readings/vm_cpu_readings-file-1-of-125.csv.gz`),
        bytes: 6905,
        sha256: "60944863185b63698c6b44442ee3a546df9c8bea8dbb314cbb1747a3884acca0",
      },
      {
        path: "azure-vm-2019/vmtable.csv.gz",
        url: github(OPENDC, "master", `${OPENDC_RESOURCES}/azure/trace/vmtable/vmtable.csv.gz`),
        bytes: 1423,
        sha256: "bb569e257d06efc8424f49d380c6f57a3edbdab1ad022f0284ad7c0ecb0db281",
      },
    ],
  },
  {
    name: "azure-llm-2023",
    description: "Azure LLM inference trace 2023 (code): request times and token counts",
    licence: "CC-BY-4.0",
    files: [{
      path: "azure-llm-2023/AzureLLMInferenceTrace_code.csv",
      url: github("Azure/AzurePublicDataset", "master", "data/AzureLLMInferenceTrace_code.csv"),
      bytes: 320117,
      sha256: "54e9a6d2a4bd06ba1e060304b900abbc74cbea53de96506e60fe5bb4f2277fb6",
    }],
  },
];

export function datasetNames(): string[] {
  return DATASETS.map((d) => d.name);
}

/** The dataset with this name; an unknown name is an error that lists the known ones. */
export function findDataset(name: string): Dataset {
  const d = DATASETS.find((x) => x.name === name);
  if (!d) throw new Error(`unknown dataset "${name}"; known datasets: ${datasetNames().join(", ")}`);
  return d;
}
