import assert from "node:assert/strict";
import { test } from "node:test";
import { buildOnnxModel, readOnnxMetadata } from "../../learner/onnx/model-proto.ts";
import { OnnxSession } from "../../learner/onnx/runtime.ts";

test("an ONNX graph built from weights runs in ONNX Runtime: relu(x W + b) worked by hand", () => {
  // W = [[1, 2], [3, 4], [5, 6]], b = [0.5, -1]
  const bytes = buildOnnxModel({
    name: "dense",
    inputs: [{ name: "x", dims: ["batch", 3] }],
    outputs: [{ name: "y", dims: ["batch", 2] }],
    initializers: [
      { name: "w", dims: [3, 2], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
      { name: "b", dims: [2], data: Float32Array.from([0.5, -1]) },
    ],
    nodes: [
      { op: "MatMul", inputs: ["x", "w"], outputs: ["h"] },
      { op: "Add", inputs: ["h", "b"], outputs: ["z"] },
      { op: "Relu", inputs: ["z"], outputs: ["y"] },
    ],
    metadata: { layout: "test/1" },
  });
  assert.deepEqual(readOnnxMetadata(bytes), { layout: "test/1" });
  const s = new OnnxSession(bytes);
  const r = s.run({ x: { data: Float32Array.from([1, 0, 1, 0, 1, -1]), dims: [2, 3] } });
  assert.deepEqual(r.y.dims, [2, 2]);
  // [1,0,1] W + b = [6.5, 7]; [0,1,-1] W + b = [-1.5, -3] -> relu 0, 0
  assert.deepEqual(Array.from(r.y.data), [6.5, 7, 0, 0]);
  s.dispose();
});

test("bytes that are not an ONNX model are refused", () => {
  assert.throws(() => readOnnxMetadata(new TextEncoder().encode("not a model")));
  assert.throws(() => new OnnxSession(new TextEncoder().encode("not a model")));
});
