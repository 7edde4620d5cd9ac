// The models a node serves, by name: the current version and the one it replaced, so a bad
// version is rolled back instantly, and optionally a shadow version that runs beside the
// current one on copies of its requests (node/shadow/) without ever answering them. Lookups hand out shared_ptrs; a swap only replaces the
// pointer under a short lock, so in-flight requests finish on the version they started with.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "node/serving/served_model.h"
#include "node/shadow/shadow_stats.h"

namespace fogline::node {

// A shadow version and its counters; the counters start fresh each time a shadow is set.
struct ShadowSlot {
  std::shared_ptr<const ServedModel> model;
  std::shared_ptr<shadow::ShadowStats> stats;
  explicit operator bool() const { return model != nullptr; }
};

class ModelTable {
 public:
  // Adds or replaces `model->name`; the replaced version becomes the rollback target.
  // Returns the replaced version's name ("" when the name was new).
  std::string swap_model(std::shared_ptr<const ServedModel> model);
  // Current and previous trade places.
  Status rollback(const std::string& name);

  // The current version, or the loaded version named `version` (current or previous).
  std::shared_ptr<const ServedModel> find(const std::string& name, const std::string& version = "") const;
  // Current versions, by name.
  std::vector<std::shared_ptr<const ServedModel>> current() const;
  // Loaded versions of `name`, current first.
  std::vector<std::string> versions(const std::string& name) const;
  std::vector<std::string> names() const;

  // Shadows are kept apart from the served versions: find(), versions() and rollback never
  // see them. Setting one replaces the model's shadow (counters restart); clearing returns
  // false when there was none.
  void set_shadow(std::shared_ptr<const ServedModel> model);
  bool clear_shadow(const std::string& name);
  ShadowSlot shadow(const std::string& name) const;
  std::vector<ShadowSlot> shadows() const;

 private:
  struct Entry {
    std::shared_ptr<const ServedModel> current, previous;
  };
  mutable std::mutex mu_;
  std::map<std::string, Entry> models_;
  std::map<std::string, ShadowSlot> shadows_;
};

}  // namespace fogline::node
