// Enrollment pieces that need no server: label and duration parsing, and one token redeemed
// by two keys at once.
#include <gmock/gmock.h>

#include <thread>

#include "hub/enrollment.h"
#include "hub/schema.h"
#include "hub_fixture.h"
#include "store/home.h"

namespace fogline::hub::testing {
namespace {

using ::testing::HasSubstr;

TEST(Enrollment, LabelsAndDurationsParseOrNameTheProblem) {
  auto labels = parse_labels("site=a,camera=3,zone=");
  ASSERT_TRUE(labels.is_ok());
  EXPECT_EQ(labels->at("site"), "a");
  EXPECT_EQ(labels->at("camera"), "3");
  EXPECT_EQ(labels->at("zone"), "");
  EXPECT_THAT(parse_labels("site=a,camera").status().message(), HasSubstr("'camera' is not KEY=VALUE"));
  EXPECT_THAT(parse_labels("si te=a").status().message(), HasSubstr("label key 'si te'"));
  EXPECT_EQ(parse_duration_seconds("90").value(), 90);
  EXPECT_EQ(parse_duration_seconds("10m").value(), 600);
  EXPECT_EQ(parse_duration_seconds("1h").value(), 3600);
  EXPECT_EQ(parse_duration_seconds("2d").value(), 172800);
  EXPECT_FALSE(parse_duration_seconds("1w").is_ok());
  EXPECT_FALSE(parse_duration_seconds("h").is_ok());
  EXPECT_FALSE(parse_duration_seconds("1h30m").is_ok());
}

TEST(Enrollment, OneTokenEnrollsOneNodeWhenTwoRaceForIt) {
  std::string dir = make_temp_dir("enroll-race");
  store::HomeOptions opts;
  opts.dir = dir;
  auto home = store::Home::open(opts);
  ASSERT_TRUE(home.is_ok());
  ASSERT_TRUE(apply_hub_migrations((*home)->db()).is_ok());
  auto token = create_enroll_token((*home)->db(), {{"site", "a"}}, 60, "test");
  ASSERT_TRUE(token.is_ok());
  // Two connections, as two hub processes sharing one database would have.
  auto second_home = store::Home::open(opts);
  ASSERT_TRUE(second_home.is_ok());
  crypto::Identity a = crypto::Identity::generate(crypto::IdentityKind::kNode, "a");
  crypto::Identity b = crypto::Identity::generate(crypto::IdentityKind::kNode, "b");
  Result<NodeRecord> ra = internal_error("not run"), rb = internal_error("not run");
  std::thread ta([&] { ra = redeem_enroll_token((*home)->db(), token->token, a.sign_public(), a.box_public(), "a"); });
  std::thread tb(
      [&] { rb = redeem_enroll_token((*second_home)->db(), token->token, b.sign_public(), b.box_public(), "b"); });
  ta.join();
  tb.join();
  EXPECT_EQ(ra.is_ok() + rb.is_ok(), 1) << ra.status().to_string() << " / " << rb.status().to_string();
  const Status& refused = ra.is_ok() ? rb.status() : ra.status();
  EXPECT_THAT(refused.message(), HasSubstr("already used"));
  auto nodes = list_nodes((*home)->db());
  ASSERT_TRUE(nodes.is_ok());
  ASSERT_EQ(nodes->size(), 1u);
  EXPECT_EQ(nodes->front().labels.at("site"), "a");
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace
}  // namespace fogline::hub::testing
