// The kernel interface. An op is one file under ops/ that defines a Kernel subclass and
// registers a factory for it with FOGLINE_REGISTER_KERNEL; nothing else changes to add one.
//
// A factory runs once per node at load time (it may pre-pack weights, check attributes and
// types, and say `unsupported` so that the next candidate kernel is tried). `run` is const and
// runs concurrently from many threads on one Session, so per-run state lives in the context.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "engine/graph.h"
#include "engine/tensor.h"

namespace fogline::engine {

// Where run-time output memory comes from (the planned arena, or the heap).
class OutputAllocator {
 public:
  virtual ~OutputAllocator() = default;
  virtual Result<Tensor> allocate(int value_id, DataType dtype, const Shape& shape) = 0;
};

// Runs a subgraph (If/Loop/Scan bodies) with the enclosing run's values in scope.
class SubgraphRunner {
 public:
  virtual ~SubgraphRunner() = default;
  virtual Result<std::vector<Tensor>> run(const Graph& body, const std::vector<Tensor>& inputs) = 0;
};

class KernelContext {
 public:
  KernelContext(const Node& node, std::vector<const Tensor*> inputs, std::vector<Tensor>* values,
                OutputAllocator* allocator, int threads, SubgraphRunner* subgraphs)
      : node_(node), inputs_(std::move(inputs)), values_(values), allocator_(allocator),
        threads_(threads), subgraphs_(subgraphs) {}

  const Node& node() const { return node_; }
  int num_inputs() const { return static_cast<int>(inputs_.size()); }
  // Null when the input is absent (omitted optional, or index past the end).
  const Tensor* input(int i) const {
    return (i >= 0 && i < num_inputs()) ? inputs_[static_cast<size_t>(i)] : nullptr;
  }
  bool has_input(int i) const { return input(i) != nullptr; }
  int num_outputs() const { return static_cast<int>(node_.outputs.size()); }
  bool wants_output(int i) const { return i < num_outputs() && node_.outputs[static_cast<size_t>(i)] >= 0; }

  // Allocates output i (from the arena when planned) and returns it for writing.
  // For an output the model omitted, returns a scratch tensor that is dropped afterwards.
  Result<Tensor*> allocate_output(int i, DataType dtype, const Shape& shape);
  // Stores a tensor the kernel built itself as output i (data-dependent sizes, subgraphs).
  Status set_output(int i, Tensor t);

  int threads() const { return threads_; }
  SubgraphRunner* subgraphs() const { return subgraphs_; }

 private:
  const Node& node_;
  std::vector<const Tensor*> inputs_;
  std::vector<Tensor>* values_;
  OutputAllocator* allocator_;
  int threads_;
  SubgraphRunner* subgraphs_;
  std::deque<Tensor> scratch_outputs_;  // a deque: earlier pointers stay valid
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual Status run(KernelContext& ctx) const = 0;
};

// What a factory knows about its node at load time.
class KernelBuildInfo {
 public:
  KernelBuildInfo(const Node& node, const Graph& graph) : node_(node), graph_(graph) {}
  const Node& node() const { return node_; }
  const Graph& graph() const { return graph_; }
  const Attributes& attrs() const { return node_.attrs; }
  int opset() const { return node_.opset; }
  int num_inputs() const { return static_cast<int>(node_.inputs.size()); }
  int num_outputs() const { return static_cast<int>(node_.outputs.size()); }
  bool has_input(int i) const { return i < num_inputs() && node_.inputs[static_cast<size_t>(i)] >= 0; }
  // Element type from shape inference; kUndefined when unknown.
  DataType input_dtype(int i) const;
  DataType output_dtype(int i) const;
  std::optional<Shape> input_static_shape(int i) const;
  // The initializer (or folded constant) feeding input i, if any.
  const Tensor* input_constant(int i) const;

 private:
  const Node& node_;
  const Graph& graph_;
};

enum class Backend { kReference = 0, kDnnl = 1 };
const char* backend_name(Backend b);

using KernelFactory = std::function<Result<std::unique_ptr<Kernel>>(const KernelBuildInfo&)>;

struct KernelDef {
  std::string domain;   // "" for ai.onnx, "com.microsoft", ...
  std::string op_type;
  int min_opset = 1;    // the range of the domain's opset version this kernel implements
  int max_opset = 1000;
  Backend backend = Backend::kReference;
  KernelFactory factory;
};

class KernelRegistry {
 public:
  static KernelRegistry& global();
  bool add(KernelDef def);
  // Candidates for (domain, op, opset), fastest backend first.
  std::vector<const KernelDef*> candidates(const std::string& domain, const std::string& op_type,
                                           int opset) const;
  bool knows(const std::string& domain, const std::string& op_type, int opset) const {
    return !candidates(domain, op_type, opset).empty();
  }
  std::vector<const KernelDef*> all() const;

 private:
  std::vector<std::unique_ptr<KernelDef>> defs_;
};

// Picks and builds the kernel for `node`. With `reference_only`, only plain C++ kernels.
// Returns `unsupported` naming op, domain, opset and node (and why the candidates declined).
Result<std::unique_ptr<Kernel>> create_kernel(const KernelBuildInfo& info, bool reference_only,
                                              Backend* chosen = nullptr);

}  // namespace fogline::engine

// Registers a kernel factory from the op's own file:
//   FOGLINE_REGISTER_KERNEL("", "Relu", 1, 1000, Backend::kReference, make_relu);
#define FOGLINE_REGISTER_KERNEL(domain, op, min_opset, max_opset, backend, factory)          \
  static const bool FOGLINE_CONCAT(fogline_kernel_registered_, __COUNTER__) =                   \
      ::fogline::engine::KernelRegistry::global().add(::fogline::engine::KernelDef{          \
          domain, op, min_opset, max_opset, ::fogline::engine::backend, factory})

// A factory for kernels with no load-time work: `FOGLINE_SIMPLE_FACTORY(ReluKernel)`.
#define FOGLINE_SIMPLE_FACTORY(KernelClass)                                                   \
  [](const ::fogline::engine::KernelBuildInfo&)                                              \
      -> ::fogline::Result<std::unique_ptr<::fogline::engine::Kernel>> {                     \
    return std::unique_ptr<::fogline::engine::Kernel>(new KernelClass());                    \
  }
