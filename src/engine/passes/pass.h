// Graph passes: one class per file, registered with FOGLINE_REGISTER_PASS. The driver runs
// them in registration order (by `order`), can switch any off by name, times each, and
// verifies the graph after each so a broken rewrite is caught at the pass that made it.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "engine/graph.h"

namespace fogline::engine {

struct PassReport;

struct PassContext {
  bool reference_only = false;  // only rewrites the reference kernels can run
};

class GraphPass {
 public:
  virtual ~GraphPass() = default;
  virtual const char* name() const = 0;
  // Rewrites `graph`; returns how many nodes it changed.
  virtual Result<int> apply(Graph& graph, const PassContext& ctx) const = 0;
};

struct PassDef {
  int order;  // lower runs first
  std::unique_ptr<GraphPass> pass;
};

class PassRegistry {
 public:
  static PassRegistry& global();
  bool add(int order, std::unique_ptr<GraphPass> pass);
  std::vector<const GraphPass*> ordered() const;

 private:
  std::vector<PassDef> passes_;
};

// Runs every registered pass not in `disabled`; unknown names in `disabled` are an error.
Result<std::vector<PassReport>> run_passes(Graph& graph, const std::set<std::string>& disabled,
                                           bool reference_only);
std::vector<std::string> pass_names();

}  // namespace fogline::engine

#define FOGLINE_REGISTER_PASS(order, PassClass)                                   \
  static const bool FOGLINE_CONCAT(fogline_pass_registered_, __COUNTER__) =          \
      ::fogline::engine::PassRegistry::global().add(order, std::make_unique<PassClass>())
