#include "node/agent/enroll.h"

#include <ctime>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/sha256.h"
#include "crypto/key_seal.h"
#include "crypto/os_seal.h"

namespace fogline::node::agent {

Result<NodeState> enroll(const std::string& hub_url, const std::string& token, const std::string& data_dir,
                         const EnrollOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(node_state_path(data_dir), ec))
    return invalid_argument(data_dir + " already holds an enrolled node (" + node_state_path(data_dir) + ")");
  // How node.key is protected ($FOGLINE_KEY_SEAL=os: by the OS, else FOGLINE_NODE_PASSPHRASE),
  // settled before the hub spends the one-time token on us.
  FOGLINE_ASSIGN_OR_RETURN(crypto::KeySeal seal, crypto::choose_key_seal(""));
  if (seal == crypto::KeySeal::kOs) {
    Status available = crypto::os_seal_available();
    if (!available.is_ok()) return available.with_context("FOGLINE_KEY_SEAL=os, but OS key sealing is not available here");
  }
  fs::create_directories(data_dir, ec);
  if (ec) return io_error("cannot create data dir " + data_dir + ": " + ec.message());
  crypto::Identity identity = crypto::Identity::generate(crypto::IdentityKind::kNode, options.name.empty() ? "node" : options.name);
  nlohmann::json body = {{"token", token},
                         {"sign_public", to_hex(crypto::as_view(identity.sign_public()))},
                         {"box_public", to_hex(crypto::as_view(identity.box_public()))},
                         {"name", options.name}};
  FOGLINE_ASSIGN_OR_RETURN(HttpReply reply,
                           http_request(hub_url, "POST", "/api/nodes/enroll", body.dump(), {}, options.client));
  nlohmann::json j = nlohmann::json::parse(reply.body, nullptr, false);
  if (reply.status != 201) {
    return invalid_argument("hub " + hub_url + " refused enrollment (" + std::to_string(reply.status) + "): " +
                            reply.error_text());
  }
  if (j.is_discarded() || !j.contains("node_id") || !j.contains("hub_public_key"))
    return invalid_argument("hub " + hub_url + " answered enrollment without node_id/hub_public_key");
  NodeState state;
  state.node_id = j["node_id"].get<std::string>();
  state.hub_url = hub_url;
  FOGLINE_ASSIGN_OR_RETURN(state.hub_public_key,
                           crypto::public_key_from_hex(j["hub_public_key"].get<std::string>(), "hub_public_key"));
  if (j.contains("labels") && j["labels"].is_object())
    for (auto& [k, v] : j["labels"].items())
      if (v.is_string()) state.labels[k] = v.get<std::string>();
  state.enrolled_at = std::to_string(std::time(nullptr));
  // Key first, then the state file: node.json existing means a usable key is there too.
  if (seal == crypto::KeySeal::kOs)
    FOGLINE_TRY(crypto::save_key_file_os_sealed(node_key_path(data_dir), identity));
  else
    FOGLINE_TRY(crypto::save_key_file(node_key_path(data_dir), identity, node_passphrase(), options.kdf));
  FOGLINE_TRY(save_node_state(data_dir, state));
  return state;
}

}  // namespace fogline::node::agent
