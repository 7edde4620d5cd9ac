#include "node/agent/active_set.h"

#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/file_util.h"

namespace fogline::node::agent {

ActiveModel* ActiveSet::find(const std::string& model) {
  for (auto& m : models)
    if (m.model == model) return &m;
  return nullptr;
}

std::string active_set_path(const std::string& data_dir) { return data_dir + "/active.json"; }

std::string model_version_dir(const std::string& data_dir, const std::string& model, const std::string& version) {
  return data_dir + "/models/" + model + "/" + version;
}

Result<ActiveSet> load_active_set(const std::string& data_dir) {
  std::string path = active_set_path(data_dir);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return ActiveSet{};
  FOGLINE_ASSIGN_OR_RETURN(std::string text, read_file(path, 16 << 20));
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("models") || !j["models"].is_array())
    return invalid_argument(path + ": expected {\"generation\", \"models\": [...]}");
  ActiveSet set;
  set.generation = j.value("generation", int64_t{0});
  for (const auto& m : j["models"]) {
    if (!m.is_object() || !m.contains("model") || !m["model"].is_string() || !m.contains("version") ||
        !m["version"].is_string())
      return invalid_argument(path + ": every entry of 'models' needs string 'model' and 'version'");
    set.models.push_back({m["model"], m["version"], m.value("previous_version", std::string())});
  }
  return set;
}

Status save_active_set(const std::string& data_dir, const ActiveSet& set) {
  nlohmann::json models = nlohmann::json::array();
  for (const auto& m : set.models)
    models.push_back({{"model", m.model}, {"version", m.version}, {"previous_version", m.previous_version}});
  nlohmann::json j = {{"generation", set.generation}, {"models", models}};
  return write_file_atomic(active_set_path(data_dir), j.dump(2) + "\n");
}

}  // namespace fogline::node::agent
