// Bundles written by the hub (bundle_writer) and read by the node (agent/bundle_reader): every
// flipped byte and every foreign signature is refused with a reason; a delta rebuilds the
// exact payload; unpacking writes the files and refuses paths that leave the directory.
#include <gmock/gmock.h>

#include "core/file_util.h"
#include "core/sha256.h"
#include "hub/bundle_writer.h"
#include "hub_fixture.h"
#include "node/agent/bundle_reader.h"

namespace fogline::hub::testing {
namespace {

using ::testing::HasSubstr;
namespace agent = node::agent;

class BundleRoundTrip : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("bundle");
    model_ = random_bytes(50000, 7);
    add_version(dir_, "", "det", "1", model_, {{"postprocess", {{"kind", "yolox"}}}});
    store::HomeOptions opts;
    opts.dir = dir_;
    auto opened = registry::open_registry(opts);
    ASSERT_TRUE(opened.is_ok());
    opened_ = std::move(opened).value();
    auto content = bundle_content(*opened_.registry, "det@1", key_.sign_public());
    ASSERT_TRUE(content.is_ok()) << content.status().to_string();
    content_ = *content;
    bundle_ = write_full_bundle(content_, key_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string dir_, model_, bundle_;
  registry::OpenRegistry opened_;
  crypto::Identity key_ = crypto::Identity::generate(crypto::IdentityKind::kOrganisation, "hub");
  BundleContent content_;
};

TEST_F(BundleRoundTrip, VerifiesAndUnpacks) {
  auto b = agent::open_bundle(bundle_, key_.sign_public());
  ASSERT_TRUE(b.is_ok()) << b.status().to_string();
  EXPECT_EQ(b->model, "det");
  EXPECT_EQ(b->version, "1");
  ASSERT_EQ(b->files.size(), 3u);
  EXPECT_EQ(b->files[0].path, "model.onnx");
  EXPECT_EQ(b->files[0].bytes, model_);
  EXPECT_EQ(b->manifest["payload_sha256"], content_.payload_sha256);
  ASSERT_TRUE(agent::unpack_bundle(*b, dir_ + "/unpacked").is_ok());
  EXPECT_EQ(read_file(dir_ + "/unpacked/model.onnx").value(), model_);
  auto spec = nlohmann::json::parse(read_file(dir_ + "/unpacked/processing.json").value());
  EXPECT_EQ(spec["postprocess"]["kind"], "yolox");
  EXPECT_TRUE(fs::exists(dir_ + "/unpacked/metadata.json"));
  EXPECT_FALSE(agent::unpack_bundle(*b, dir_ + "/unpacked").is_ok()) << "an existing directory is not overwritten";
  // The same registry state gives the same bytes (bundles can be cached and re-made).
  EXPECT_EQ(write_full_bundle(*bundle_content(*opened_.registry, "det@1", key_.sign_public()), key_), bundle_);
}

TEST_F(BundleRoundTrip, EveryFlippedByteIsRefused) {
  // Every byte of the header, manifest and signature, and a spread of body bytes.
  auto frame = agent::parse_bundle_frame(bundle_);
  ASSERT_TRUE(frame.is_ok());
  size_t body_start = bundle_.size() - frame->body.size();
  std::vector<size_t> offsets;
  for (size_t i = 0; i < body_start; ++i) offsets.push_back(i);
  for (size_t i = body_start; i < bundle_.size(); i += 997) offsets.push_back(i);
  offsets.push_back(bundle_.size() - 1);
  for (size_t at : offsets) {
    std::string bad = bundle_;
    bad[at] = static_cast<char>(bad[at] ^ 0x01);
    auto r = agent::open_bundle(bad, key_.sign_public());
    ASSERT_FALSE(r.is_ok()) << "flipped byte at " << at << " of " << bundle_.size() << " was accepted";
    EXPECT_FALSE(r.status().message().empty());
  }
  std::string flipped_body = bundle_;
  flipped_body[body_start + frame->body.size() / 2] ^= 0x01;
  // The signature covers the body's hash: nothing is decompressed before it is checked.
  EXPECT_THAT(agent::open_bundle(flipped_body, key_.sign_public()).status().message(), HasSubstr("signature"));
  std::string flipped_manifest = bundle_;
  flipped_manifest[20] ^= 0x01;
  EXPECT_THAT(agent::open_bundle(flipped_manifest, key_.sign_public()).status().message(), HasSubstr("signature"));
  EXPECT_THAT(agent::open_bundle(bundle_ + "x", key_.sign_public()).status().message(), HasSubstr("follow"));
  EXPECT_THAT(agent::open_bundle(bundle_.substr(0, 100), key_.sign_public()).status().message(), HasSubstr("truncated"));
}

TEST_F(BundleRoundTrip, ABundleSignedByAnotherKeyIsRefused) {
  crypto::Identity other = crypto::Identity::generate(crypto::IdentityKind::kOrganisation, "impostor");
  std::string forged = write_full_bundle(content_, other);
  auto r = agent::open_bundle(forged, key_.sign_public());
  ASSERT_FALSE(r.is_ok());
  EXPECT_THAT(r.status().message(), HasSubstr("signature does not verify"));
  EXPECT_TRUE(agent::open_bundle(forged, other.sign_public()).is_ok());
}

TEST_F(BundleRoundTrip, DeltaRebuildsTheExactPayload) {
  std::string v2 = model_;
  v2[100] ^= 1;
  v2 += "more weights";
  add_version(dir_, "", "det", "2", v2);
  auto next = bundle_content(*opened_.registry, "det@2", key_.sign_public());
  ASSERT_TRUE(next.is_ok());
  auto delta = write_delta_bundle(*next, content_.payload, key_);
  ASSERT_TRUE(delta.is_ok());
  std::string full = write_full_bundle(*next, key_);
  EXPECT_LT(delta->size() * 5, full.size());
  auto rebuilt = agent::open_bundle(*delta, key_.sign_public(), content_.payload);
  ASSERT_TRUE(rebuilt.is_ok()) << rebuilt.status().to_string();
  EXPECT_EQ(rebuilt->payload, next->payload);
  EXPECT_EQ(rebuilt->files[0].bytes, v2);
}

TEST_F(BundleRoundTrip, PathsLeavingTheBundleAreRefused) {
  BundleContent evil = content_;
  evil.entries = {{"../escape.txt", "model", "x"}};
  evil.payload = build_payload(evil.entries);
  evil.payload_sha256 = sha256_hex(evil.payload);
  evil.manifest["files"] = {{{"path", "../escape.txt"}, {"role", "model"}, {"size", 1}, {"sha256", sha256_hex("x")}}};
  evil.manifest["payload_size"] = evil.payload.size();
  evil.manifest["payload_sha256"] = evil.payload_sha256;
  auto r = agent::open_bundle(write_full_bundle(evil, key_), key_.sign_public());
  ASSERT_FALSE(r.is_ok());
  EXPECT_THAT(r.status().message(), HasSubstr("leaves the bundle"));
}

}  // namespace
}  // namespace fogline::hub::testing
