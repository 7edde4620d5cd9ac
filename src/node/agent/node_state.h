// What a node keeps in its data directory once enrolled:
//   DATA/node.key    its identity (crypto key file, mode 0600), passphrase $FOGLINE_NODE_PASSPHRASE
//                    (empty when unset: the file's mode is what protects it on an unattended box)
//   DATA/node.json   {"node_id", "hub_url", "hub_public_key", "labels", "enrolled_at"}
// so that after `--enroll` the agent runs with just `--data-dir`.
#pragma once

#include <map>
#include <string>

#include "core/status.h"
#include "crypto/identity.h"

namespace fogline::node::agent {

struct NodeState {
  std::string node_id;
  std::string hub_url;
  crypto::PublicKey hub_public_key{};  // the key bundles must be signed with
  std::map<std::string, std::string> labels;
  std::string enrolled_at;
};

std::string node_key_path(const std::string& data_dir);
std::string node_state_path(const std::string& data_dir);
std::string node_passphrase();

Status save_node_state(const std::string& data_dir, const NodeState& state);
Result<NodeState> load_node_state(const std::string& data_dir);
// The node's identity from DATA/node.key.
Result<crypto::Identity> load_node_identity(const std::string& data_dir);

}  // namespace fogline::node::agent
