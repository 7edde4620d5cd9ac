#include "node/agent/node_state.h"

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "core/file_util.h"
#include "core/sha256.h"
#include "crypto/key_file.h"

namespace fogline::node::agent {

std::string node_key_path(const std::string& data_dir) { return data_dir + "/node.key"; }
std::string node_state_path(const std::string& data_dir) { return data_dir + "/node.json"; }

std::string node_passphrase() {
  const char* env = std::getenv("FOGLINE_NODE_PASSPHRASE");
  return env ? env : "";
}

Status save_node_state(const std::string& data_dir, const NodeState& state) {
  nlohmann::json j = {{"node_id", state.node_id},
                      {"hub_url", state.hub_url},
                      {"hub_public_key", to_hex(crypto::as_view(state.hub_public_key))},
                      {"labels", state.labels},
                      {"enrolled_at", state.enrolled_at}};
  return write_file_atomic(node_state_path(data_dir), j.dump(2) + "\n");
}

Result<NodeState> load_node_state(const std::string& data_dir) {
  std::string path = node_state_path(data_dir);
  FOGLINE_ASSIGN_OR_RETURN(std::string text, read_file(path, 1 << 20));
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return invalid_argument(path + " is not a JSON object");
  NodeState s;
  for (const char* field : {"node_id", "hub_url", "hub_public_key"})
    if (!j.contains(field) || !j[field].is_string())
      return invalid_argument(path + ": field '" + field + "' (string) is missing");
  s.node_id = j["node_id"].get<std::string>();
  s.hub_url = j["hub_url"].get<std::string>();
  FOGLINE_ASSIGN_OR_RETURN(s.hub_public_key,
                           crypto::public_key_from_hex(j["hub_public_key"].get<std::string>(), path + " hub_public_key"));
  if (j.contains("labels") && j["labels"].is_object())
    for (auto& [k, v] : j["labels"].items())
      if (v.is_string()) s.labels[k] = v.get<std::string>();
  s.enrolled_at = j.value("enrolled_at", std::string());
  return s;
}

Result<crypto::Identity> load_node_identity(const std::string& data_dir) {
  return crypto::load_key_file(node_key_path(data_dir), node_passphrase());
}

}  // namespace fogline::node::agent
