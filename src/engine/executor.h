// GraphExecutor: the kernels of one graph (the model's, or an If/Loop/Scan body) in order,
// with each value's last reader precomputed so buffers are released as soon as possible.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "engine/graph.h"
#include "engine/kernel.h"
#include "engine/memory_plan.h"

namespace fogline::engine {

struct NodeTiming {
  std::string op_type;
  std::string node_name;
  double ms = 0;
};

struct RunStats {
  std::vector<NodeTiming> nodes;  // filled when profiling
  uint64_t arena_bytes = 0;
  bool used_plan = false;
};

// Values visible to a graph from the graphs around it (for subgraph bodies).
using OuterScope = std::unordered_map<std::string, const Tensor*>;

class GraphExecutor {
 public:
  static Result<std::unique_ptr<GraphExecutor>> build(std::shared_ptr<const Graph> graph,
                                                      bool reference_only);

  // Runs the graph. `feeds` are indexed like graph().inputs. With `plan_cache`, intermediate
  // tensors live in one planned arena (planned on the first run of each input-shape signature).
  Result<std::vector<Tensor>> run(const std::vector<Tensor>& feeds, const OuterScope* outer,
                                  int threads, bool use_planner, RunStats* stats) const;

  const Graph& graph() const { return *graph_; }
  // Backend chosen for each node, parallel to graph().nodes.
  const std::vector<Backend>& backends() const { return backends_; }
  // Arena bytes of the most recent plan (0 before the first planned run).
  uint64_t planned_arena_bytes() const;
  uint64_t naive_bytes() const;

 private:
  friend class ExecutorSubgraphRunner;
  GraphExecutor() = default;
  std::shared_ptr<const MemoryPlan> plan_for(const std::string& signature) const;

  std::shared_ptr<const Graph> graph_;
  std::vector<std::unique_ptr<Kernel>> kernels_;
  std::vector<Backend> backends_;
  std::vector<int> last_use_;        // per value: index of the last node reading it
  std::vector<char> is_output_;      // per value: a graph output (kept on the heap)
  std::map<const Graph*, std::unique_ptr<GraphExecutor>> subgraphs_;

  mutable std::mutex plan_mutex_;
  mutable std::map<std::string, std::shared_ptr<const MemoryPlan>> plans_;
  mutable uint64_t last_arena_bytes_ = 0;
  mutable uint64_t last_naive_bytes_ = 0;
};

}  // namespace fogline::engine
