// The engine's own IR: values and nodes in topological order. Built from ONNX once, then
// rewritten by the passes in passes/, then turned into an execution plan by Session.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "engine/attributes.h"
#include "engine/tensor.h"

namespace fogline::engine {

// A dimension as the model declares it: a number, a symbol ("batch_size"), or unknown.
struct Dim {
  int64_t value = -1;  // -1: not a number
  std::string symbol;
  bool is_static() const { return value >= 0; }
};

struct ValueType {
  DataType dtype = DataType::kUndefined;
  bool has_shape = false;
  std::vector<Dim> dims;
  // Static shape when every dim is a number.
  std::optional<Shape> static_shape() const;
  std::string to_string() const;  // "float32[batch_size,3,224,224]"
};

struct Value {
  std::string name;
  ValueType type;
  std::optional<Tensor> constant;  // initializer or folded constant
  int producer = -1;               // index of the node that writes it, -1 for inputs/constants
  // Memory layout of the value's bytes: "" is ONNX's plain row-major layout; otherwise a
  // oneDNN format tag (e.g. "nhwc") set by the onednn-layout pass, for values that only
  // oneDNN kernels read and write. The shape stays the logical (NCHW) one.
  std::string layout;
};

// A fused epilogue applied to an op's output, in order (oneDNN post-ops).
struct PostOp {
  enum class Kind { kRelu, kLeakyRelu, kClip, kSigmoid, kTanh, kSilu, kHardSigmoid, kHardSwish, kGeluErf, kGeluTanh, kAdd };
  Kind kind = Kind::kRelu;
  float alpha = 0, beta = 0;
  int input = -1;  // for kAdd: index into the node's inputs of the other addend
};

struct Node {
  std::string name;
  std::string op_type;
  std::string domain;  // "" for ai.onnx
  int opset = 0;       // opset version of `domain` the model imports
  std::vector<int> inputs;   // value ids; -1 for an omitted optional input
  std::vector<int> outputs;  // value ids; -1 for an omitted optional output
  // Values of this graph that the node's subgraphs (If/Loop/Scan bodies) read by name; they
  // order and keep alive like inputs.
  std::vector<int> implicit_inputs;
  Attributes attrs;
  std::vector<PostOp> post_ops;
  // Set by the bf16-compute pass: the oneDNN kernel computes in bfloat16 (weights and source
  // rounded to bf16, accumulation in fp32).
  bool compute_bf16 = false;
  bool dead = false;  // marked by passes, removed by Graph::compact()

  std::string describe() const;  // "Conv 'conv1' (ai.onnx opset 13)"
};

// Model metadata the engine reads: "bf16" makes convolutions compute in bfloat16 where the CPU
// has it; the second names (comma-separated) nodes that stay in fp32 all the same.
inline constexpr const char* kComputePrecisionKey = "fogline.compute_precision";
inline constexpr const char* kFp32NodesKey = "fogline.fp32_nodes";

struct Graph {
  std::vector<Value> values;
  std::vector<Node> nodes;
  std::vector<int> inputs;   // runtime inputs (not initializers)
  std::vector<int> outputs;
  std::unordered_map<std::string, int> value_ids;
  std::map<std::string, int> opsets;  // domain -> version
  // The model's metadata_props; `fogline.*` keys are hints to the engine (bf16-compute pass).
  std::map<std::string, std::string> metadata;
  // Names this graph (a subgraph) reads from enclosing graphs.
  std::vector<std::string> outer_refs;

  int find_value(const std::string& name) const;
  // Adds a value, or returns the existing one with that name.
  int add_value(const std::string& name);
  // A fresh, uniquely named value.
  int add_temp_value(const std::string& hint);

  // Orders nodes so that producers come before consumers; names a node of a cycle if any.
  Status topological_sort();
  // Drops dead nodes and re-links producers.
  void compact();
  // Checks structural invariants: ids in range, single producer, defined before use.
  Status verify() const;
  // Number of nodes reading each value (graph outputs count as one reader).
  std::vector<int> use_counts() const;
};

const char* domain_display_name(const std::string& domain);

}  // namespace fogline::engine
