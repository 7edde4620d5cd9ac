#include "crypto/envelope.h"

#include <gtest/gtest.h>

namespace fogline::crypto {
namespace {

TEST(Envelope, OnlyTheOwnerOpensIt) {
  Identity owner = Identity::generate(IdentityKind::kOrganisation, "owner");
  Identity node = Identity::generate(IdentityKind::kNode, "cam");
  std::string image(5000, '\0');
  for (size_t i = 0; i < image.size(); ++i) image[i] = static_cast<char>(i * 31);
  Envelope env = seal_envelope(image, owner.box_public());
  EXPECT_EQ(env.sealed_key.size(), kSealedKeyBytes);
  EXPECT_EQ(env.blob.find(image.substr(0, 64)), std::string::npos);
  auto opened = open_envelope(env.blob, env.sealed_key, owner);
  ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
  EXPECT_EQ(*opened, image);
  auto by_node = open_envelope(env.blob, env.sealed_key, node);
  ASSERT_FALSE(by_node.is_ok());
  EXPECT_NE(by_node.status().message().find("not sealed to 'cam'"), std::string::npos);
}

TEST(Envelope, RewrappedKeyOpensForTheGranteeOnly) {
  Identity owner = Identity::generate(IdentityKind::kUser, "owner");
  Identity buyer = Identity::generate(IdentityKind::kUser, "buyer");
  Identity other = Identity::generate(IdentityKind::kUser, "other");
  Envelope env = seal_envelope("detections: 3 people", owner.box_public());
  EXPECT_FALSE(open_envelope(env.blob, env.sealed_key, buyer).is_ok());
  auto rewrapped = rewrap_data_key(env.sealed_key, owner, buyer.box_public());
  ASSERT_TRUE(rewrapped.is_ok());
  auto opened = open_envelope(env.blob, *rewrapped, buyer);
  ASSERT_TRUE(opened.is_ok());
  EXPECT_EQ(*opened, "detections: 3 people");
  EXPECT_FALSE(open_envelope(env.blob, *rewrapped, other).is_ok());
  // Only the owner can re-wrap: the buyer's attempt with the original sealed key fails.
  EXPECT_FALSE(rewrap_data_key(env.sealed_key, buyer, other.box_public()).is_ok());
}

TEST(Envelope, TamperedBlobOrKeyIsRefused) {
  Identity owner = Identity::generate(IdentityKind::kUser, "owner");
  Envelope env = seal_envelope("payload", owner.box_public());
  for (size_t i = 0; i < env.blob.size(); ++i) {
    std::string blob = env.blob;
    blob[i] ^= 0x40;
    EXPECT_FALSE(open_envelope(blob, env.sealed_key, owner).is_ok()) << "byte " << i;
  }
  std::string key = env.sealed_key;
  key[40] ^= 1;
  EXPECT_FALSE(open_envelope(env.blob, key, owner).is_ok());
  EXPECT_FALSE(open_envelope(env.blob, env.sealed_key.substr(1), owner).is_ok());
}

TEST(Envelope, EachSealUsesAFreshKeyAndNonce) {
  Identity owner = Identity::generate(IdentityKind::kUser, "owner");
  Envelope a = seal_envelope("same", owner.box_public());
  Envelope b = seal_envelope("same", owner.box_public());
  EXPECT_NE(a.blob, b.blob);
  EXPECT_NE(a.sealed_key, b.sealed_key);
}

}  // namespace
}  // namespace fogline::crypto
