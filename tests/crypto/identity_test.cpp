#include "crypto/identity.h"

#include <gtest/gtest.h>

namespace fogline::crypto {
namespace {

TEST(Identity, SignaturesVerifyOnlyForTheSignerAndTheMessage) {
  Identity alice = Identity::generate(IdentityKind::kUser, "alice");
  Identity bob = Identity::generate(IdentityKind::kUser, "bob");
  Signature sig = alice.sign("hello");
  EXPECT_TRUE(verify_signature(alice.sign_public(), "hello", sig));
  EXPECT_FALSE(verify_signature(bob.sign_public(), "hello", sig));
  EXPECT_FALSE(verify_signature(alice.sign_public(), "hellO", sig));
  sig[10] ^= 1;
  EXPECT_FALSE(verify_signature(alice.sign_public(), "hello", sig));
}

TEST(Identity, FromSecretsDerivesTheSamePublicKeys) {
  Identity node = Identity::generate(IdentityKind::kNode, "cam-1");
  auto again = Identity::from_secrets(IdentityKind::kNode, "cam-1", node.sign_secret().view(), node.box_secret().view());
  ASSERT_TRUE(again.is_ok()) << again.status().to_string();
  EXPECT_EQ(again->sign_public(), node.sign_public());
  EXPECT_EQ(again->box_public(), node.box_public());
  auto bad = Identity::from_secrets(IdentityKind::kNode, "x", "short", node.box_secret().view());
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("expected 64"), std::string::npos);
}

TEST(Identity, KindNamesRoundTrip) {
  for (auto kind : {IdentityKind::kOrganisation, IdentityKind::kUser, IdentityKind::kNode}) {
    auto parsed = parse_identity_kind(identity_kind_name(kind));
    ASSERT_TRUE(parsed.is_ok());
    EXPECT_EQ(*parsed, kind);
  }
  EXPECT_FALSE(parse_identity_kind("robot").is_ok());
}

}  // namespace
}  // namespace fogline::crypto
