// The node's bundle reader against docs/formats/bundle.md, with bundles written here byte by
// byte from the spec (not with the hub's writer), so reader and document are checked
// against each other.
#include <zstd.h>

#include <gmock/gmock.h>

#include <nlohmann/json.hpp>

#include "core/sha256.h"
#include "crypto/identity.h"
#include "node/agent/bundle_reader.h"

namespace fogline::node::agent {
namespace {

using ::testing::HasSubstr;

void le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

struct SpecBundle {
  std::vector<std::pair<std::string, std::string>> files = {{"model.onnx", std::string(5000, 'w') + "tail"},
                                                            {"processing.json", "{}\n"}};
  uint16_t format = 1;

  std::string payload() const {
    std::string p = "FGLP";
    le(p, files.size(), 4);
    for (const auto& [path, bytes] : files) {
      le(p, path.size(), 4);
      p += path;
      le(p, bytes.size(), 8);
      p += bytes;
    }
    return p;
  }
  std::string manifest() const {
    nlohmann::json files_json = nlohmann::json::array();
    for (const auto& [path, bytes] : files)
      files_json.push_back({{"path", path}, {"role", "x"}, {"size", bytes.size()}, {"sha256", sha256_hex(bytes)}});
    std::string p = payload();
    return nlohmann::json{{"format", 1},          {"model", "m"},
                          {"version", "3"},       {"files", files_json},
                          {"payload_size", p.size()}, {"payload_sha256", sha256_hex(p)}}
        .dump();
  }
  // base empty: a full bundle; otherwise a delta against `base`.
  std::string write(const crypto::Identity& key, const std::string& base = "") const {
    std::string m = manifest(), p = payload();
    ZSTD_CCtx* cctx = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
    std::string base_hash(32, '\0');
    if (!base.empty()) {
      Sha256 h;
      h.update(base);
      base_hash = h.finish_raw();
      ZSTD_CCtx_refPrefix(cctx, base.data(), base.size());
    }
    std::string body(ZSTD_compressBound(p.size()), '\0');
    body.resize(ZSTD_compress2(cctx, body.data(), body.size(), p.data(), p.size()));
    ZSTD_freeCCtx(cctx);
    Sha256 body_hash;
    body_hash.update(body);
    char encoding = base.empty() ? 0 : 1;
    std::string signed_bytes = "fogline-bundle-v1\n" + std::string(1, encoding) + base_hash + body_hash.finish_raw() + m;
    std::string out = "FGLB";
    le(out, format, 2);
    out += encoding;
    out += '\0';
    le(out, m.size(), 4);
    out += m;
    out += std::string(crypto::as_view(key.sign(signed_bytes)));
    if (!base.empty()) out += base_hash;
    le(out, body.size(), 8);
    return out + body;
  }
};

crypto::Identity hub_key() {
  static const crypto::Identity key = crypto::Identity::generate(crypto::IdentityKind::kOrganisation, "hub");
  return key;
}

TEST(BundleFormat, ReadsABundleWrittenFromTheSpec) {
  SpecBundle spec;
  auto b = open_bundle(spec.write(hub_key()), hub_key().sign_public());
  ASSERT_TRUE(b.is_ok()) << b.status().to_string();
  EXPECT_EQ(b->model, "m");
  EXPECT_EQ(b->version, "3");
  ASSERT_EQ(b->files.size(), 2u);
  EXPECT_EQ(b->files[0].bytes, spec.files[0].second);
  EXPECT_EQ(b->payload, spec.payload());
}

TEST(BundleFormat, ReadsADeltaAgainstTheBaseItNames) {
  SpecBundle old_spec, new_spec;
  new_spec.files[0].second[100] = 'X';
  std::string base = old_spec.payload();
  auto b = open_bundle(new_spec.write(hub_key(), base), hub_key().sign_public(), base);
  ASSERT_TRUE(b.is_ok()) << b.status().to_string();
  EXPECT_EQ(b->files[0].bytes, new_spec.files[0].second);
}

TEST(BundleFormat, RefusalsNameTheReason) {
  SpecBundle spec;
  spec.format = 2;
  EXPECT_THAT(open_bundle(spec.write(hub_key()), hub_key().sign_public()).status().message(),
              HasSubstr("bundle format 2"));
  EXPECT_THAT(open_bundle("FGLZ", hub_key().sign_public()).status().message(), HasSubstr("magic"));
  SpecBundle escaping;
  escaping.files = {{"a/../../etc/x", "x"}};
  EXPECT_THAT(open_bundle(escaping.write(hub_key()), hub_key().sign_public()).status().message(),
              HasSubstr("leaves the bundle"));
  SpecBundle reserved;
  reserved.files = {{"bundle-manifest.json", "{}"}};
  auto ok = open_bundle(reserved.write(hub_key()), hub_key().sign_public());
  ASSERT_TRUE(ok.is_ok());
  EXPECT_FALSE(unpack_bundle(*ok, ::testing::TempDir() + "/fogline-reserved-name").is_ok());
}

}  // namespace
}  // namespace fogline::node::agent
