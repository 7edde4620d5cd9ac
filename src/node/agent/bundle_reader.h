// Reads and verifies bundles (docs/formats/bundle.md, format 1) before anything is
// activated: the header, the hub's Ed25519 signature over the manifest, the zstd body (whole,
// or a patch-from delta applied to the payload the node already holds), the payload's and
// every file's SHA-256, and file paths that stay inside the target directory. Every refusal
// names what was wrong. The writing side is src/hub/bundle_writer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "crypto/identity.h"

namespace fogline::node::agent {

constexpr uint16_t kBundleFormatVersion = 1;

// The parts of a bundle file before any check beyond its framing.
struct BundleFrame {
  uint16_t format = 0;
  bool delta = false;
  std::string manifest_bytes;
  crypto::Signature signature{};
  std::string base_payload_sha256;  // hex, deltas only
  std::string_view body;            // the zstd frame (points into the file's bytes)
};
Result<BundleFrame> parse_bundle_frame(std::string_view bytes);

struct BundleFile {
  std::string path, role, sha256;
  std::string bytes;
};

struct VerifiedBundle {
  nlohmann::json manifest;
  std::string model, version;
  std::string payload;  // kept by the node as the base of the next delta
  std::vector<BundleFile> files;
};

// Verifies `bytes` against `hub_key`. A delta needs `base_payload` (the payload of the version
// it was made against; its SHA-256 must match the one the delta names).
Result<VerifiedBundle> open_bundle(std::string_view bytes, const crypto::PublicKey& hub_key,
                                   std::string_view base_payload = {});

// Writes the files under `dir` (created; must not exist yet, so a half-written directory is
// never mistaken for a good one: write to a temporary name and rename).
Status unpack_bundle(const VerifiedBundle& bundle, const std::string& dir);

}  // namespace fogline::node::agent
