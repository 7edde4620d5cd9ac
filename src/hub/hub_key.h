// The hub's own identity: the Ed25519 key that signs bundles. Kept in HOME/hub/hub.key (a
// crypto key file, mode 0600) under $FOGLINE_HUB_PASSPHRASE (empty when unset), or sealed by
// the OS (`fogline hub --seal os`, or $FOGLINE_KEY_SEAL=os: systemd-creds with the host key,
// crypto/key_seal.h); made on first start. An existing key file is opened as it is, whichever
// kind. Nodes learn the public half when they enroll and trust only bundles it signed.
#pragma once

#include <string>

#include "crypto/identity.h"

namespace fogline::hub {

std::string hub_key_path(const std::string& home_dir);
// `seal`: "passphrase", "os" or "" ($FOGLINE_KEY_SEAL, else passphrase); only for a new key.
Result<crypto::Identity> load_or_create_hub_key(const std::string& home_dir, const std::string& seal = "");

}  // namespace fogline::hub
