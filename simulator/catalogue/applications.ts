/**
 * The AI application catalogue: ImageNet classifiers as served in the COSCO/SciNet testbeds
 * (COSCO's AIoTBench container uses torchvision's resnet18, resnet34, squeezenet1_0, mobilenet_v2,
 * mnasnet1_0, googlenet and resnext50_32x4d), and how their deployment variants turn published
 * figures into fragments the twin can run.
 *
 * Published (torchvision model documentation, ImageNet-1K, single crop, 224x224): acc@1, GFLOPS per
 * image, parameters, weights file size, and int8-quantized acc@1 where torchvision publishes one.
 *
 * Named assumptions (scenario parameters under `applications`, defaults here):
 * - instructionsPerFlop (1): million instructions of CPU work per MFLOP of the model;
 * - batchImages (8): images classified per request;
 * - compressionSpeedup (3): int8 runs this many times faster than fp32 (commonly reported 2-4x);
 *   int8 weights are 4x smaller than fp32 (a fact of the encoding);
 * - unpublishedInt8AccuracyFactor (0.9978): where torchvision publishes no int8 accuracy, full
 *   accuracy times the mean ratio of the four published int8/fp32 pairs
 *   (resnet18 0.9962, resnet50 0.9972, googlenet 1.0007, mobilenet_v2 0.9969);
 * - semanticAccuracyFactor (0.8): semantic split accuracy relative to full (SciNet's assumption);
 * - layerSplitParts (2) and semanticSplitParts (4): fragments per split (SciNet's testbed);
 * - runtimeOverheadMB (256): RAM of a fragment's runtime beside its weights;
 * - activationMBPerImage (0.4): activation tensor at a layer cut (a 128x28x28 fp32 tensor is
 *   0.38 MiB, the mid-network activation of the ResNets);
 * - outputMBPerImage (0.004): class scores (1,000 fp32 values).
 */
export type VariantKind = "full" | "compressed" | "layer" | "semantic";
export const VARIANT_KINDS: readonly VariantKind[] = ["full", "compressed", "layer", "semantic"];

export interface ModelFigures {
  name: string;
  acc1: number;
  gflops: number;
  paramsM: number;
  weightsMB: number;
  int8Acc1?: number;
}

export const IMAGENET_MODELS: readonly ModelFigures[] = [
  { name: "resnet18", acc1: 69.758, gflops: 1.81, paramsM: 11.69, weightsMB: 44.7, int8Acc1: 69.494 },
  { name: "resnet34", acc1: 73.314, gflops: 3.66, paramsM: 21.8, weightsMB: 83.3 },
  { name: "squeezenet1_0", acc1: 58.092, gflops: 0.82, paramsM: 1.25, weightsMB: 4.8 },
  { name: "mobilenet_v2", acc1: 71.878, gflops: 0.3, paramsM: 3.5, weightsMB: 13.6, int8Acc1: 71.658 },
  { name: "mnasnet1_0", acc1: 73.456, gflops: 0.31, paramsM: 4.38, weightsMB: 16.9 },
  { name: "googlenet", acc1: 69.778, gflops: 1.5, paramsM: 6.62, weightsMB: 49.7, int8Acc1: 69.826 },
  { name: "resnext50_32x4d", acc1: 77.618, gflops: 4.23, paramsM: 25.03, weightsMB: 95.8 },
];

/** Extra published model (not in the COSCO container, available to scenarios). */
export const RESNET50: ModelFigures = {
  name: "resnet50",
  acc1: 76.13,
  gflops: 4.09,
  paramsM: 25.56,
  weightsMB: 97.8,
  int8Acc1: 75.92,
};

export interface AppAssumptions {
  instructionsPerFlop: number;
  batchImages: number;
  compressionSpeedup: number;
  unpublishedInt8AccuracyFactor: number;
  semanticAccuracyFactor: number;
  layerSplitParts: number;
  semanticSplitParts: number;
  runtimeOverheadMB: number;
  activationMBPerImage: number;
  outputMBPerImage: number;
}

export const DEFAULT_APP_ASSUMPTIONS: AppAssumptions = {
  instructionsPerFlop: 1,
  batchImages: 8,
  compressionSpeedup: 3,
  unpublishedInt8AccuracyFactor: 0.9978,
  semanticAccuracyFactor: 0.8,
  layerSplitParts: 2,
  semanticSplitParts: 4,
  runtimeOverheadMB: 256,
  activationMBPerImage: 0.4,
  outputMBPerImage: 0.004,
};

/** A fragment: a unit of work placed on one host. */
export interface FragmentSpec {
  /** million instructions at request size 1 */
  mi: number;
  ramMB: number;
  /** output sent to the successor (chain) or collected (parallel), MB at request size 1 */
  outMB: number;
}

export interface VariantSpec {
  kind: VariantKind;
  /** accuracy as a fraction in [0, 1] */
  accuracy: number;
  /** chain: fragment i+1 starts when fragment i's output has arrived; parallel: all start at once */
  parallel: boolean;
  fragments: FragmentSpec[];
}

export interface AppSpec {
  name: string;
  variants: VariantSpec[];
}

/** Builds the variants of a model from its published figures and the named assumptions. */
export function imageClassifierApp(m: ModelFigures, a: AppAssumptions, kinds: readonly VariantKind[] = VARIANT_KINDS): AppSpec {
  const mi = m.gflops * 1000 * a.instructionsPerFlop * a.batchImages;
  const acc = m.acc1 / 100;
  const out = a.outputMBPerImage * a.batchImages;
  const act = a.activationMBPerImage * a.batchImages;
  const variants: VariantSpec[] = [];
  for (const kind of kinds) {
    switch (kind) {
      case "full":
        variants.push({ kind, accuracy: acc, parallel: false, fragments: [{ mi, ramMB: m.weightsMB + a.runtimeOverheadMB, outMB: out }] });
        break;
      case "compressed": {
        const int8 = m.int8Acc1 !== undefined ? m.int8Acc1 / 100 : acc * a.unpublishedInt8AccuracyFactor;
        variants.push({
          kind,
          accuracy: int8,
          parallel: false,
          fragments: [{ mi: mi / a.compressionSpeedup, ramMB: m.weightsMB / 4 + a.runtimeOverheadMB, outMB: out }],
        });
        break;
      }
      case "layer": {
        const k = a.layerSplitParts;
        const fragments: FragmentSpec[] = [];
        for (let i = 0; i < k; i++) {
          fragments.push({ mi: mi / k, ramMB: m.weightsMB / k + a.runtimeOverheadMB, outMB: i < k - 1 ? act : out });
        }
        variants.push({ kind, accuracy: acc, parallel: false, fragments });
        break;
      }
      case "semantic": {
        const k = a.semanticSplitParts;
        const fragments: FragmentSpec[] = [];
        for (let i = 0; i < k; i++) {
          fragments.push({ mi: mi / k, ramMB: m.weightsMB / k + a.runtimeOverheadMB, outMB: out / k });
        }
        variants.push({ kind, accuracy: acc * a.semanticAccuracyFactor, parallel: true, fragments });
        break;
      }
    }
  }
  return { name: m.name, variants };
}

export const APP_CATALOGUES: Readonly<Record<string, readonly ModelFigures[]>> = {
  "imagenet-7": IMAGENET_MODELS,
  "imagenet-8": [...IMAGENET_MODELS, RESNET50],
};
