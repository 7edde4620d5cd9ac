// Enrollment from the node's side: make the node's key pair (private key file 0600 in the
// data dir), POST /api/nodes/enroll with the one-time token and the public keys, and keep the
// node id, hub URL and hub public key in DATA/node.json (node_state.h).
#pragma once

#include <string>

#include "crypto/key_file.h"
#include "node/agent/hub_client.h"
#include "node/agent/node_state.h"

namespace fogline::node::agent {

struct EnrollOptions {
  std::string name;  // shown on the hub; default: the node id
  ClientOptions client;
  crypto::KdfParams kdf;  // the key file's passphrase hardening (tests use the fastest)
};

// Refuses a data dir that already holds an enrolled node. A hub refusal leaves no key file.
Result<NodeState> enroll(const std::string& hub_url, const std::string& token, const std::string& data_dir,
                         const EnrollOptions& options = {});

}  // namespace fogline::node::agent
