// The models a node last activated, kept in DATA/active.json (written atomically) so that after
// a restart the node serves them from DATA/models/<model>/<version>/ without asking the hub:
//   {"generation": 7, "models": [{"model": "m", "version": "2", "previous_version": "1"}]}
// `generation` is the hub's desired-state generation the set answers; `previous_version` is
// loaded too (behind the current one) so a rollback stays instant after a restart.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace fogline::node::agent {

struct ActiveModel {
  std::string model, version, previous_version;
  bool operator==(const ActiveModel&) const = default;
};

struct ActiveSet {
  int64_t generation = 0;
  std::vector<ActiveModel> models;
  ActiveModel* find(const std::string& model);
};

std::string active_set_path(const std::string& data_dir);
// DATA/models/<model>/<version>: an unpacked, verified bundle.
std::string model_version_dir(const std::string& data_dir, const std::string& model, const std::string& version);

// A missing file is an empty set (a node that never activated anything).
Result<ActiveSet> load_active_set(const std::string& data_dir);
Status save_active_set(const std::string& data_dir, const ActiveSet& set);

}  // namespace fogline::node::agent
