// Bundles are built once per payload (and per base payload for deltas) and kept in the
// content store, counted by a hub_bundles row so `fogline gc` keeps them; later requests
// stream the stored file, which is what makes Range resumption byte-stable.
#pragma once

#include <string>

#include "crypto/identity.h"
#include "registry/registry.h"

namespace fogline::hub {

struct StoredBundle {
  std::string model, version;
  std::string digest;  // SHA-256 of the bundle file (its ETag)
  std::string path;    // in the content store
  int64_t size = 0;
  bool delta = false;
  std::string base_version;  // for deltas
  int64_t full_size = 0;     // the full bundle's size (== size when not a delta)
};

// The bundle for `ref`; with `from_version` (a version of the same model the node holds), a
// delta against it when that is smaller than the full bundle.
Result<StoredBundle> get_bundle(registry::Registry& registry, const crypto::Identity& signer, const std::string& ref,
                                const std::string& from_version);

}  // namespace fogline::hub
