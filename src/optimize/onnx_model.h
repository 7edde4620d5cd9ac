// Small helpers for editing ONNX models as protobufs: load/save, find initializers and
// constants, add initializers from engine tensors, read attributes, topological order. The
// optimiser rewrites models at this level (not the engine IR) because what it writes must
// be a standard ONNX file other runtimes load.
#pragma once

#include <onnx/onnx_pb.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "engine/tensor.h"

namespace fogline::optimize {

Result<onnx::ModelProto> load_model(const std::string& path);
Result<onnx::ModelProto> parse_model(const std::string& bytes, const std::string& what);
// Serialises and writes atomically.
Status save_model(const onnx::ModelProto& model, const std::string& path);

// The default-domain ("" / "ai.onnx") opset the model imports, 0 when none.
int default_opset(const onnx::ModelProto& model);
// Sets the opset of `domain`, adding the import when missing.
void set_opset(onnx::ModelProto* model, const std::string& domain, int version);
// Drops imports of domains no node uses (the default domain is always kept).
void drop_unused_opsets(onnx::ModelProto* model);

// Constant tensors of a graph by name: initializers and Constant nodes with a `value`.
class Constants {
 public:
  explicit Constants(const onnx::GraphProto& graph);
  bool has(const std::string& name) const;
  Result<engine::Tensor> get(const std::string& name) const;  // error names the tensor

 private:
  std::map<std::string, const onnx::TensorProto*> protos_;
};

void add_initializer(onnx::GraphProto* graph, const std::string& name, const engine::Tensor& t);
// Removes initializers nothing reads (no node input, no graph output).
int drop_unused_initializers(onnx::GraphProto* graph);
// Nodes read constants through Identity nodes (PyTorch's exporter shares a deduplicated
// initializer that way): every reader of Identity(constant), also through chains of them, is
// pointed at the constant itself and the Identity is dropped, unless its output is a graph
// output or a subgraph reads it. Returns the number of Identity nodes dropped.
int bypass_constant_identities(onnx::GraphProto* graph);

const onnx::AttributeProto* find_attribute(const onnx::NodeProto& node, const std::string& name);
int64_t attribute_int(const onnx::NodeProto& node, const std::string& name, int64_t fallback);
float attribute_float(const onnx::NodeProto& node, const std::string& name, float fallback);

// Orders nodes so that every input is produced before it is read; names a node of a cycle.
Status topological_sort(onnx::GraphProto* graph);

// A name not used by any value in the graph, built from `hint`.
class NameAllocator {
 public:
  explicit NameAllocator(const onnx::GraphProto& graph);
  std::string fresh(const std::string& hint);

 private:
  std::map<std::string, int> used_;
};

}  // namespace fogline::optimize
