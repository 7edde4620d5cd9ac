#include "engine/executor.h"

#include <omp.h>

#include <chrono>
#include <cstdlib>

#include "engine/value.h"

namespace fogline::engine {
namespace {

// Ops that read sequence/optional boxes (engine/value.h). Any other kernel handed a box would
// read its bytes as a tensor's, so the executor refuses it, naming the node. Checked only
// when an input is a box, so tensor-only models pay nothing.
bool accepts_boxed_inputs(const std::string& op_type) {
  static const char* const kOps[] = {"SequenceEmpty", "SequenceConstruct", "SequenceInsert", "SequenceAt",
                                     "SequenceErase", "SequenceLength", "ConcatFromSequence",
                                     "SplitToSequence", "SequenceMap", "Optional", "OptionalHasElement",
                                     "OptionalGetElement", "Identity", "If", "Loop"};
  for (const char* op : kOps) {
    if (op_type == op) return true;
  }
  return false;
}

// Hands out arena slices when the plan has room for a value, heap memory otherwise, and
// records every size so the next plan can be made from this run.
class PlannedAllocator : public OutputAllocator {
 public:
  PlannedAllocator(const MemoryPlan* plan, char* arena, const std::vector<char>& is_output,
                   size_t num_values)
      : plan_(plan), arena_(arena), is_output_(is_output), sizes_(num_values, 0) {}

  Result<Tensor> allocate(int value_id, DataType dtype, const Shape& shape) override {
    FOGLINE_ASSIGN_OR_RETURN(int64_t n, checked_numel(shape));
    uint64_t elem = dtype_size(dtype);
    if (elem == 0) return invalid_argument(std::string("cannot allocate type ") + dtype_name(dtype));
    if (n > 0 && static_cast<uint64_t>(n) > max_allocation_bytes() / elem) {
      return resource_exhausted("tensor of shape " + shape_to_string(shape) + " and type " +
                                dtype_name(dtype) + " exceeds the allocation limit of " +
                                std::to_string(max_allocation_bytes()) + " bytes");
    }
    uint64_t bytes = static_cast<uint64_t>(n) * elem;
    const auto id = static_cast<size_t>(value_id);
    if (dtype != DataType::kString && !is_output_[id]) sizes_[id] = bytes;
    if (plan_ && arena_ && dtype != DataType::kString && !is_output_[id] &&
        plan_->offset[id] != MemoryPlan::kNotPlanned && plan_->size[id] >= bytes) {
      return Tensor::view(dtype, shape, arena_ + plan_->offset[id], nullptr);
    }
    if (!is_output_[id] && dtype != DataType::kString) mismatch_ = true;
    return Tensor::allocate(dtype, shape);
  }

  const std::vector<uint64_t>& sizes() const { return sizes_; }
  bool mismatch() const { return mismatch_; }

 private:
  const MemoryPlan* plan_;
  char* arena_;
  const std::vector<char>& is_output_;
  std::vector<uint64_t> sizes_;
  bool mismatch_ = false;
};

class HeapAllocator : public OutputAllocator {
 public:
  Result<Tensor> allocate(int, DataType dtype, const Shape& shape) override {
    return Tensor::allocate(dtype, shape);
  }
};

std::string shape_signature(const std::vector<Tensor>& feeds) {
  std::string s;
  for (const Tensor& t : feeds) s += shape_to_string(t.shape()) + ";";
  return s;
}

}  // namespace

// Runs If/Loop/Scan bodies with the enclosing run's values in scope.
class ExecutorSubgraphRunner : public SubgraphRunner {
 public:
  ExecutorSubgraphRunner(const GraphExecutor& owner, const OuterScope& scope, int threads)
      : owner_(owner), scope_(scope), threads_(threads) {}

  Result<std::vector<Tensor>> run(const Graph& body, const std::vector<Tensor>& inputs) override {
    auto it = owner_.subgraphs_.find(&body);
    if (it == owner_.subgraphs_.end()) return internal_error("subgraph was not prepared");
    return it->second->run(inputs, &scope_, threads_, false, nullptr);
  }

 private:
  const GraphExecutor& owner_;
  const OuterScope& scope_;
  int threads_;
};

Result<std::unique_ptr<GraphExecutor>> GraphExecutor::build(std::shared_ptr<const Graph> graph,
                                                            bool reference_only) {
  std::unique_ptr<GraphExecutor> ex(new GraphExecutor());
  ex->graph_ = std::move(graph);
  const Graph& g = *ex->graph_;
  // Unsupported ops, grouped by (domain, op, opset) so a model with 52 Convs says so once.
  std::vector<std::pair<std::string, std::string>> unsupported_groups;  // key, message
  std::map<std::string, int> unsupported_counts;
  std::string unsupported_ops;
  for (const Node& node : g.nodes) {
    KernelBuildInfo info(node, g);
    Backend backend = Backend::kReference;
    auto kernel = create_kernel(info, reference_only, &backend);
    if (!kernel.is_ok()) {
      if (kernel.status().code() != StatusCode::kUnsupported) return kernel.status();
      std::string key = node.domain + ":" + node.op_type + ":" + std::to_string(node.opset);
      if (unsupported_counts[key]++ == 0) unsupported_groups.emplace_back(key, kernel.status().message());
      ex->kernels_.push_back(nullptr);
    } else {
      ex->kernels_.push_back(std::move(kernel).value());
    }
    ex->backends_.push_back(backend);
    for (const auto& [name, attr] : node.attrs.items()) {
      std::vector<std::shared_ptr<Graph>> bodies = attr.graphs;
      if (attr.g) bodies.push_back(attr.g);
      for (const auto& body : bodies) {
        auto sub = build(body, reference_only);
        if (!sub.is_ok()) {
          if (sub.status().code() != StatusCode::kUnsupported) return sub.status();
          unsupported_ops += "\n  in the body of " + node.describe() + ": " + sub.status().message();
          continue;
        }
        ex->subgraphs_[body.get()] = std::move(sub).value();
      }
    }
  }
  for (const auto& [key, message] : unsupported_groups) {
    int count = unsupported_counts[key];
    unsupported_ops += "\n  " + message;
    if (count > 1) unsupported_ops += " (and " + std::to_string(count - 1) + " more nodes of this op)";
  }
  if (!unsupported_ops.empty()) {
    return unsupported("the model uses ops the engine cannot run:" + unsupported_ops);
  }
  ex->last_use_.assign(g.values.size(), -1);
  ex->is_output_.assign(g.values.size(), 0);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (int in : g.nodes[i].inputs) {
      if (in >= 0) ex->last_use_[static_cast<size_t>(in)] = static_cast<int>(i);
    }
    for (int in : g.nodes[i].implicit_inputs) ex->last_use_[static_cast<size_t>(in)] = static_cast<int>(i);
  }
  for (int o : g.outputs) ex->is_output_[static_cast<size_t>(o)] = 1;
  return ex;
}

std::shared_ptr<const MemoryPlan> GraphExecutor::plan_for(const std::string& signature) const {
  std::lock_guard<std::mutex> lock(plan_mutex_);
  auto it = plans_.find(signature);
  return it == plans_.end() ? nullptr : it->second;
}

uint64_t GraphExecutor::planned_arena_bytes() const {
  std::lock_guard<std::mutex> lock(plan_mutex_);
  return last_arena_bytes_;
}

uint64_t GraphExecutor::naive_bytes() const {
  std::lock_guard<std::mutex> lock(plan_mutex_);
  return last_naive_bytes_;
}

Result<std::vector<Tensor>> GraphExecutor::run(const std::vector<Tensor>& feeds,
                                               const OuterScope* outer, int threads,
                                               bool use_planner, RunStats* stats) const {
  const Graph& g = *graph_;
  if (feeds.size() != g.inputs.size()) {
    return invalid_argument("expected " + std::to_string(g.inputs.size()) + " inputs, got " +
                            std::to_string(feeds.size()));
  }
  if (threads > 0) omp_set_num_threads(threads);
  std::vector<Tensor> values(g.values.size());
  for (size_t i = 0; i < feeds.size(); ++i) values[static_cast<size_t>(g.inputs[i])] = feeds[i];

  // Scope for subgraphs: the outer scope plus this graph's live values, filled lazily.
  OuterScope scope;
  if (outer) scope = *outer;
  auto lookup = [&](int id) -> const Tensor* {
    const Value& v = g.values[static_cast<size_t>(id)];
    if (v.constant) return &*v.constant;
    const Tensor& t = values[static_cast<size_t>(id)];
    if (t.defined()) return &t;
    if (outer) {
      auto it = outer->find(v.name);
      if (it != outer->end()) return it->second;
    }
    return nullptr;
  };

  std::string signature;
  std::shared_ptr<const MemoryPlan> plan;
  std::unique_ptr<char, decltype(&std::free)> arena(nullptr, &std::free);
  if (use_planner) {
    signature = shape_signature(feeds);
    plan = plan_for(signature);
    if (plan && plan->arena_bytes > 0) {
      arena.reset(static_cast<char*>(std::aligned_alloc(64, plan->arena_bytes)));
      if (!arena) {
        return resource_exhausted("cannot allocate the " + std::to_string(plan->arena_bytes) +
                                  "-byte arena");
      }
    }
  }
  PlannedAllocator planned(plan.get(), arena.get(), is_output_, g.values.size());
  HeapAllocator heap;
  OutputAllocator* allocator = use_planner ? static_cast<OutputAllocator*>(&planned) : &heap;

  bool has_subgraphs = !subgraphs_.empty();
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& node = g.nodes[i];
    std::vector<const Tensor*> inputs;
    inputs.reserve(node.inputs.size());
    for (int in : node.inputs) {
      if (in < 0) {
        inputs.push_back(nullptr);
        continue;
      }
      const Tensor* t = lookup(in);
      if (!t) {
        return internal_error(node.describe() + ": input '" + g.values[static_cast<size_t>(in)].name +
                              "' has no value");
      }
      if (is_boxed_dtype(t->dtype()) && (!node.domain.empty() || !accepts_boxed_inputs(node.op_type))) {
        return invalid_argument(node.describe() + ": input '" + g.values[static_cast<size_t>(in)].name +
                                "' is a " + value_type_name(t->dtype()) + ", but the op takes tensors");
      }
      inputs.push_back(t);
    }
    std::unique_ptr<ExecutorSubgraphRunner> runner;
    if (has_subgraphs && !node.attrs.items().empty()) {
      for (size_t v = 0; v < g.values.size(); ++v) {
        if (const Tensor* t = lookup(static_cast<int>(v))) scope[g.values[v].name] = t;
      }
      runner = std::make_unique<ExecutorSubgraphRunner>(*this, scope, threads);
    }
    KernelContext ctx(node, std::move(inputs), &values, allocator, threads, runner.get());
    auto start = std::chrono::steady_clock::now();
    Status st = kernels_[i]->run(ctx);
    if (!st.is_ok()) return st.with_context(node.describe());
    if (stats) {
      double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      stats->nodes.push_back({node.op_type, node.name, ms});
    }
    for (int out : node.outputs) {
      if (out >= 0 && !values[static_cast<size_t>(out)].defined()) {
        return internal_error(node.describe() + " did not produce output '" +
                              g.values[static_cast<size_t>(out)].name + "'");
      }
    }
    // Release what no later node reads (arena slices are simply forgotten).
    std::vector<int> reads = node.inputs;
    reads.insert(reads.end(), node.implicit_inputs.begin(), node.implicit_inputs.end());
    for (int in : reads) {
      if (in >= 0 && last_use_[static_cast<size_t>(in)] == static_cast<int>(i) &&
          !is_output_[static_cast<size_t>(in)] && !g.values[static_cast<size_t>(in)].constant) {
        values[static_cast<size_t>(in)] = Tensor();
      }
    }
  }

  std::vector<Tensor> outputs;
  for (int o : g.outputs) {
    const Tensor* t = lookup(o);
    if (!t) return internal_error("graph output '" + g.values[static_cast<size_t>(o)].name + "' has no value");
    // Boxed sequences/optionals are immutable and heap-held: shared, never copied.
    if (!is_boxed_dtype(t->dtype()) &&
        (t->owner() == nullptr || g.values[static_cast<size_t>(o)].constant ||
         g.values[static_cast<size_t>(o)].producer < 0)) {
      FOGLINE_ASSIGN_OR_RETURN(Tensor copy, t->clone());
      outputs.push_back(std::move(copy));
    } else {
      outputs.push_back(*t);
    }
  }

  if (use_planner && (!plan || planned.mismatch())) {
    std::vector<BufferRequest> requests;
    for (size_t v = 0; v < g.values.size(); ++v) {
      const Value& val = g.values[v];
      if (planned.sizes()[v] == 0 || val.producer < 0 || is_output_[v]) continue;
      int last = last_use_[v] < 0 ? val.producer : last_use_[v];
      requests.push_back({static_cast<int>(v), planned.sizes()[v], val.producer, last});
    }
    auto fresh = std::make_shared<MemoryPlan>(plan_memory(requests, g.values.size()));
    std::lock_guard<std::mutex> lock(plan_mutex_);
    last_arena_bytes_ = fresh->arena_bytes;
    last_naive_bytes_ = fresh->naive_bytes;
    plans_[signature] = std::move(fresh);
  }
  if (stats) {
    stats->used_plan = plan != nullptr;
    stats->arena_bytes = plan ? plan->arena_bytes : 0;
  }
  return outputs;
}

}  // namespace fogline::engine
