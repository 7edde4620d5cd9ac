"""Writes what bench_node.sh sends: a tiny ONNX model (x FP32[1,16] -> Relu(x) * 2) and
Open Inference Protocol request bodies. Bench only (uses Debian's python3-onnx)."""
import json
import random
import sys

import onnx
from onnx import TensorProto, helper

out = sys.argv[1]
x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 16])
y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 16])
two = helper.make_tensor("two", TensorProto.FLOAT, [1], [2.0])
graph = helper.make_graph([helper.make_node("Relu", ["x"], ["r"]), helper.make_node("Mul", ["r", "two"], ["y"])],
                          "tiny", [x], [y], [two])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 8
onnx.save(model, f"{out}/tiny.onnx")

random.seed(1)
with open(f"{out}/tiny.json", "w") as f:
    json.dump({"inputs": [{"name": "x", "shape": [1, 16], "datatype": "FP32",
                           "data": [round(random.uniform(-1, 1), 4) for _ in range(16)]}]}, f)
if len(sys.argv) > 2:  # the image model's input name
    with open(f"{out}/image.json", "w") as f:
        json.dump({"inputs": [{"name": sys.argv[2], "shape": [1, 3, 224, 224], "datatype": "FP32",
                               "data": [round(random.uniform(-2, 2), 3) for _ in range(3 * 224 * 224)]}]}, f)
