// The hub's own identity: the Ed25519 key that signs bundles. Kept in HOME/hub/hub.key (a
// crypto key file, mode 0600) under $FOGLINE_HUB_PASSPHRASE (empty when unset); made on first
// start. Nodes learn the public half when they enroll and trust only bundles it signed.
#pragma once

#include <string>

#include "crypto/identity.h"

namespace fogline::hub {

std::string hub_key_path(const std::string& home_dir);
Result<crypto::Identity> load_or_create_hub_key(const std::string& home_dir);

}  // namespace fogline::hub
