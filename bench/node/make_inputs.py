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
if len(sys.argv) > 2:  # the image model: a random input of its shape under its input name
    name = onnx.load(sys.argv[2], load_external_data=False).graph.input[0].name
    with open(f"{out}/image.json", "w") as f:
        json.dump({"inputs": [{"name": name, "shape": [1, 3, 224, 224], "datatype": "FP32",
                               "data": [round(random.uniform(-2, 2), 3) for _ in range(3 * 224 * 224)]}]}, f)
    # The same tensor through the binary data extension: a JSON header, then raw float32.
    import struct
    header = json.dumps({"inputs": [{"name": name, "shape": [1, 3, 224, 224], "datatype": "FP32",
                                     "parameters": {"binary_data_size": 4 * 3 * 224 * 224}}],
                         "parameters": {"binary_data_output": True}}).encode()
    with open(f"{out}/image.bin", "wb") as f:
        f.write(header)
        f.write(struct.pack(f"<{3 * 224 * 224}f", *[random.uniform(-2, 2) for _ in range(3 * 224 * 224)]))
    with open(f"{out}/image.bin.header", "w") as f:
        f.write(str(len(header)))
