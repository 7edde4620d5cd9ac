// Writes bundles (docs/formats/bundle.md, format 1): a payload container holding the model
// version's files, a manifest naming each file's size and SHA-256 and the payload's, the
// hub's Ed25519 signature over the manifest, and the payload zstd-compressed whole or as a
// patch-from delta against the payload of a version the node already holds. The reading side
// is src/node/agent/bundle_reader (the node may not depend on the hub).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/identity.h"
#include "registry/registry.h"

namespace fogline::hub {

constexpr uint16_t kBundleFormatVersion = 1;

struct BundleEntry {
  std::string path;  // relative, '/'-separated: "model.onnx", "processing.json"
  std::string role;  // "model", "processing", "metadata", or the artifact's role
  std::string bytes;
};

// What a version bundles: its entries, the payload built from them and the manifest.
struct BundleContent {
  std::string model, version;
  std::vector<BundleEntry> entries;
  std::string payload;
  std::string payload_sha256;  // hex
  nlohmann::json manifest;
};

// The payload container: "FGLP", u32 count, then per entry u32 path length, path, u64 size,
// bytes (little-endian).
std::string build_payload(const std::vector<BundleEntry>& entries);

// Reads the version's artifacts from the content store (hash-checked) and its spec and
// lineage from the registry. The same registry state always gives the same payload bytes.
Result<BundleContent> bundle_content(registry::Registry& registry, const std::string& ref,
                                     const crypto::PublicKey& signer);

struct BundleOptions {
  int level = 9;
};

std::string write_full_bundle(const BundleContent& content, const crypto::Identity& signer, BundleOptions options = {});
// The payload compressed with `base_payload` as zstd prefix (--patch-from); the node needs the
// base payload to read it.
Result<std::string> write_delta_bundle(const BundleContent& content, std::string_view base_payload,
                                       const crypto::Identity& signer, BundleOptions options = {});

// The bytes the signature covers: "fogline-bundle-v1\n" || encoding (1 byte) || base payload
// SHA-256 (32 raw bytes, zeros for a full bundle) || SHA-256 of the body (32 raw bytes) ||
// manifest. Covering the body means any changed byte is refused before decompression.
std::string bundle_signing_input(uint8_t encoding, std::string_view base_sha256_raw, std::string_view body,
                                 std::string_view manifest);

}  // namespace fogline::hub
