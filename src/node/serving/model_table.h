// The models a node serves, by name: the current version and the one it replaced, so a bad
// version is rolled back instantly. Lookups hand out shared_ptrs; a swap only replaces the
// pointer under a short lock, so in-flight requests finish on the version they started with.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "node/serving/served_model.h"

namespace fogline::node {

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

 private:
  struct Entry {
    std::shared_ptr<const ServedModel> current, previous;
  };
  mutable std::mutex mu_;
  std::map<std::string, Entry> models_;
};

}  // namespace fogline::node
