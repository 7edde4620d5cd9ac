#include "hub/bundle_writer.h"

#include <zstd.h>

#include <algorithm>
#include <cctype>

#include "core/sha256.h"

namespace fogline::hub {
namespace {

void put_u16(std::string& out, uint16_t v) {
  for (int i = 0; i < 2; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}
void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}
void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

// Artifact roles become file names under artifacts/ ("external-data:weights.bin" ->
// "artifacts/external-data_weights.bin"); the model itself is model.onnx.
std::string path_for_role(const std::string& role) {
  if (role == "model") return "model.onnx";
  std::string name = role;
  for (char& c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_')) c = '_';
  if (name.empty() || name[0] == '.') name = "_" + name;
  return "artifacts/" + name;
}

// The whole file: header, manifest, signature, (base hash), body.
std::string assemble(uint8_t encoding, const std::string& manifest, const crypto::Identity& signer,
                     std::string_view base_sha256_raw, const std::string& body) {
  std::string out = "FGLB";
  put_u16(out, kBundleFormatVersion);
  out += static_cast<char>(encoding);
  out += '\0';
  put_u32(out, static_cast<uint32_t>(manifest.size()));
  out += manifest;
  out += std::string(crypto::as_view(signer.sign(bundle_signing_input(encoding, base_sha256_raw, body, manifest))));
  if (encoding == 1) out += base_sha256_raw;
  put_u64(out, body.size());
  return out + body;
}

int window_log_for(size_t bytes) {
  int log = 10;
  while (log < 31 && (size_t{1} << log) < bytes) ++log;
  return log;
}

}  // namespace

std::string bundle_signing_input(uint8_t encoding, std::string_view base_sha256_raw, std::string_view body,
                                 std::string_view manifest) {
  Sha256 body_hash;
  body_hash.update(body);
  std::string out = "fogline-bundle-v1\n";
  out += static_cast<char>(encoding);
  out += base_sha256_raw.size() == 32 ? std::string(base_sha256_raw) : std::string(32, '\0');
  out += body_hash.finish_raw();
  out += manifest;
  return out;
}

std::string build_payload(const std::vector<BundleEntry>& entries) {
  std::string out = "FGLP";
  put_u32(out, static_cast<uint32_t>(entries.size()));
  for (const auto& e : entries) {
    put_u32(out, static_cast<uint32_t>(e.path.size()));
    out += e.path;
    put_u64(out, e.bytes.size());
    out += e.bytes;
  }
  return out;
}

Result<BundleContent> bundle_content(registry::Registry& registry, const std::string& ref,
                                     const crypto::PublicKey& signer) {
  FOGLINE_ASSIGN_OR_RETURN(registry::VersionRecord v, registry.get(ref));
  BundleContent c;
  c.model = v.model;
  c.version = v.version;
  nlohmann::json artifacts = nlohmann::json::array();
  auto artifacts_sorted = v.artifacts;
  std::sort(artifacts_sorted.begin(), artifacts_sorted.end(),
            [](const auto& a, const auto& b) { return a.role < b.role; });
  for (const auto& a : artifacts_sorted) {
    auto bytes = registry.home().cas().read(a.digest);
    if (!bytes.is_ok()) return bytes.status().with_context("bundling " + v.ref() + " artifact '" + a.role + "'");
    c.entries.push_back({path_for_role(a.role), a.role, std::move(bytes).value()});
    artifacts.push_back({{"role", a.role}, {"digest", a.digest}, {"size", a.size_bytes}});
  }
  c.entries.push_back({"processing.json", "processing", v.processing_spec.dump(2) + "\n"});
  // Only what does not change after creation: a bundle's bytes stay the same when the
  // version is promoted or tagged.
  nlohmann::json metadata = {{"model", v.model},
                             {"version", v.version},
                             {"parent", v.parent},
                             {"source_url", v.source_url},
                             {"source_commit", v.source_commit},
                             {"dataset_versions", v.dataset_versions},
                             {"hyperparameters", v.hyperparameters},
                             {"facts", v.facts},
                             {"created_by", v.created_by},
                             {"created_at", v.created_at},
                             {"artifacts", artifacts}};
  c.entries.push_back({"metadata.json", "metadata", metadata.dump(2) + "\n"});
  c.payload = build_payload(c.entries);
  c.payload_sha256 = sha256_hex(c.payload);
  nlohmann::json files = nlohmann::json::array();
  for (const auto& e : c.entries)
    files.push_back({{"path", e.path}, {"role", e.role}, {"size", e.bytes.size()}, {"sha256", sha256_hex(e.bytes)}});
  c.manifest = {{"format", kBundleFormatVersion},
                {"model", v.model},
                {"version", v.version},
                {"created_at", v.created_at},
                {"signer", to_hex(crypto::as_view(signer))},
                {"files", files},
                {"payload_size", c.payload.size()},
                {"payload_sha256", c.payload_sha256}};
  return c;
}

std::string write_full_bundle(const BundleContent& content, const crypto::Identity& signer, BundleOptions options) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, options.level);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  std::string body(ZSTD_compressBound(content.payload.size()), '\0');
  size_t n = ZSTD_compress2(cctx, body.data(), body.size(), content.payload.data(), content.payload.size());
  ZSTD_freeCCtx(cctx);
  body.resize(ZSTD_isError(n) ? 0 : n);  // a bound-sized buffer cannot fail
  return assemble(0, content.manifest.dump(), signer, {}, body);
}

Result<std::string> write_delta_bundle(const BundleContent& content, std::string_view base_payload,
                                       const crypto::Identity& signer, BundleOptions options) {
  Sha256 base_hash;
  base_hash.update(base_payload);
  std::string base_sha256_raw = base_hash.finish_raw();
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, options.level);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  // As zstd --patch-from: the window must reach back over the whole base, and long-distance
  // matching finds the unchanged tensors however far apart they moved.
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog,
                         window_log_for(std::max(base_payload.size(), content.payload.size())));
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_enableLongDistanceMatching, 1);
  size_t rc = ZSTD_CCtx_refPrefix(cctx, base_payload.data(), base_payload.size());
  if (ZSTD_isError(rc)) {
    ZSTD_freeCCtx(cctx);
    return internal_error(std::string("zstd refPrefix: ") + ZSTD_getErrorName(rc));
  }
  std::string body(ZSTD_compressBound(content.payload.size()), '\0');
  size_t n = ZSTD_compress2(cctx, body.data(), body.size(), content.payload.data(), content.payload.size());
  ZSTD_freeCCtx(cctx);
  if (ZSTD_isError(n)) return internal_error(std::string("zstd delta compression: ") + ZSTD_getErrorName(n));
  body.resize(n);
  return assemble(1, content.manifest.dump(), signer, base_sha256_raw, body);
}

}  // namespace fogline::hub
