#include "engine/passes/pass.h"

#include <algorithm>
#include <chrono>

#include "engine/session.h"

namespace fogline::engine {

PassRegistry& PassRegistry::global() {
  static PassRegistry registry;
  return registry;
}

bool PassRegistry::add(int order, std::unique_ptr<GraphPass> pass) {
  passes_.push_back({order, std::move(pass)});
  return true;
}

std::vector<const GraphPass*> PassRegistry::ordered() const {
  std::vector<const PassDef*> defs;
  for (const auto& d : passes_) defs.push_back(&d);
  std::stable_sort(defs.begin(), defs.end(),
                   [](const PassDef* a, const PassDef* b) { return a->order < b->order; });
  std::vector<const GraphPass*> out;
  for (const auto* d : defs) out.push_back(d->pass.get());
  return out;
}

std::vector<std::string> pass_names() {
  std::vector<std::string> names;
  for (const GraphPass* p : PassRegistry::global().ordered()) names.emplace_back(p->name());
  return names;
}

Result<std::vector<PassReport>> run_passes(Graph& graph, const std::set<std::string>& disabled,
                                           bool reference_only) {
  auto names = pass_names();
  for (const auto& d : disabled) {
    if (std::find(names.begin(), names.end(), d) == names.end()) {
      std::string known;
      for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
      return invalid_argument("unknown pass '" + d + "' (passes: " + known + ")");
    }
  }
  PassContext ctx{reference_only};
  std::vector<PassReport> reports;
  for (const GraphPass* pass : PassRegistry::global().ordered()) {
    if (disabled.count(pass->name())) continue;
    auto start = std::chrono::steady_clock::now();
    auto changes = pass->apply(graph, ctx);
    if (!changes.is_ok()) return changes.status().with_context(std::string("pass ") + pass->name());
    graph.compact();
    Status st = graph.verify();
    if (!st.is_ok()) {
      return internal_error(std::string("pass ") + pass->name() + " left an invalid graph: " + st.message());
    }
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    reports.push_back({pass->name(), ms, *changes});
  }
  return reports;
}

}  // namespace fogline::engine
