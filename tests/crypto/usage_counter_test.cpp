// Signed usage counter reports: the encoding round-trips, any altered byte or a key that is not
// the node's is refused, and malformed encodings name what is wrong.
#include <gmock/gmock.h>

#include "crypto/usage_counter.h"

namespace fogline::crypto {
namespace {

using ::testing::HasSubstr;

TEST(UsageCounter, RoundTripsAndChecksTheNodeSignature) {
  Identity node = Identity::generate(IdentityKind::kNode, "edge-1");
  Identity renter = Identity::generate(IdentityKind::kOrganisation, "renter");
  UsageCounter c = sign_usage_counter(node, "detector", "1.2.0", renter.sign_public(), 12345, 7, 1700000000123);
  std::string bytes = c.encode();
  auto back = decode_usage_counter(bytes);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(back->model, "detector");
  EXPECT_EQ(back->version, "1.2.0");
  EXPECT_EQ(back->node, node.sign_public());
  EXPECT_EQ(back->renter, renter.sign_public());
  EXPECT_EQ(back->inferences, 12345u);
  EXPECT_EQ(back->sequence, 7u);
  EXPECT_EQ(back->timestamp_ms, 1700000000123u);
  EXPECT_EQ(back->encode(), bytes);
  // Every single flipped byte after the magic is either a malformed report or a forged one.
  for (size_t i = kUsageCounterMagic.size(); i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] ^= 0x01;
    EXPECT_FALSE(decode_usage_counter(bad).is_ok()) << "byte " << i;
  }
}

TEST(UsageCounter, ARaisedCounterOrAnotherSignerIsForged) {
  Identity node = Identity::generate(IdentityKind::kNode, "edge-1");
  Identity other = Identity::generate(IdentityKind::kNode, "edge-2");
  UsageCounter c = sign_usage_counter(node, "m", "1", other.sign_public(), 10, 1, 0);
  c.inferences = 1000000;
  EXPECT_THAT(decode_usage_counter(c.encode()).status().message(), HasSubstr("forged"));
  UsageCounter swapped = sign_usage_counter(other, "m", "1", other.sign_public(), 10, 1, 0);
  swapped.node = node.sign_public();  // claims to be edge-1's report
  EXPECT_FALSE(swapped.signature_valid());
  EXPECT_THAT(decode_usage_counter(swapped.encode()).status().message(), HasSubstr("not the node's"));
}

TEST(UsageCounter, MalformedEncodingsNameTheProblem) {
  Identity node = Identity::generate(IdentityKind::kNode, "edge-1");
  std::string bytes = sign_usage_counter(node, "m", "1", node.sign_public(), 1, 1, 0).encode();
  EXPECT_THAT(decode_usage_counter(bytes.substr(0, bytes.size() - 1)).status().message(), HasSubstr("truncated at signature"));
  EXPECT_THAT(decode_usage_counter(bytes + "x").status().message(), HasSubstr("1 trailing bytes"));
  EXPECT_THAT(decode_usage_counter("fogline-usage/1").status().message(), HasSubstr("magic"));
  EXPECT_THAT(decode_usage_counter(sign_usage_counter(node, "m", "1", node.sign_public(), 1, 0, 0).encode()).status().message(),
              HasSubstr("sequences start at 1"));
}

}  // namespace
}  // namespace fogline::crypto
