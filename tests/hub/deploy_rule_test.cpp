// The rollback rule language: precedence, comparisons, missing metrics, and errors that name
// the offending token.
#include <gmock/gmock.h>

#include "hub/rollback_rule.h"

namespace fogline::hub {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

TEST(DeployRule, TripsOnAnyBranchOfOr) {
  auto rule = RollbackRule::parse("p99_ms>50 or error_rate>0.01 or agreement<0.9");
  ASSERT_TRUE(rule.is_ok()) << rule.status().to_string();
  std::string why;
  EXPECT_FALSE(rule->trips(Json{{"p99_ms", 50}, {"error_rate", 0.0}, {"agreement", 0.95}}, &why));
  EXPECT_TRUE(why.empty());
  EXPECT_TRUE(rule->trips(Json{{"p99_ms", 61.5}, {"error_rate", 0.0}}, &why));
  EXPECT_EQ(why, "p99_ms=61.5 > 50");
  EXPECT_TRUE(rule->trips(Json{{"agreement", 0.5}}, &why));
  EXPECT_EQ(why, "agreement=0.5 < 0.9");
}

TEST(DeployRule, AndBindsTighterThanOrAndParenthesesGroup) {
  auto rule = RollbackRule::parse("requests>=100 and error_rate>0.1 or p50_ms>20");
  ASSERT_TRUE(rule.is_ok());
  EXPECT_FALSE(rule->trips(Json{{"requests", 10}, {"error_rate", 0.5}}));
  EXPECT_TRUE(rule->trips(Json{{"requests", 100}, {"error_rate", 0.5}}));
  EXPECT_TRUE(rule->trips(Json{{"requests", 1}, {"p50_ms", 21}}));
  auto grouped = RollbackRule::parse("requests>=100 AND (error_rate>0.1 OR p50_ms>20)");
  ASSERT_TRUE(grouped.is_ok()) << grouped.status().to_string();
  EXPECT_FALSE(grouped->trips(Json{{"requests", 1}, {"p50_ms", 21}}));
  EXPECT_TRUE(grouped->trips(Json{{"requests", 500}, {"p50_ms", 21}}));
  auto ops = RollbackRule::parse("requests==3 or requests!=3");
  ASSERT_TRUE(ops.is_ok());
  EXPECT_TRUE(ops->trips(Json{{"requests", 3}}));
  auto le = RollbackRule::parse("p99_ms<=1e1");
  ASSERT_TRUE(le.is_ok()) << le.status().to_string();
  EXPECT_TRUE(le->trips(Json{{"p99_ms", 10}}));
  EXPECT_FALSE(le->trips(Json{{"p99_ms", 10.5}}));
}

TEST(DeployRule, MissingMetricsNeverTripAndAnEmptyRuleIsAllowed) {
  auto rule = RollbackRule::parse("agreement<0.9");
  ASSERT_TRUE(rule.is_ok());
  EXPECT_FALSE(rule->trips(Json{{"p99_ms", 500}}));
  EXPECT_FALSE(rule->trips(Json{{"agreement", "low"}}));
  auto empty = RollbackRule::parse("  ");
  ASSERT_TRUE(empty.is_ok());
  EXPECT_TRUE(empty->empty());
  EXPECT_FALSE(empty->trips(Json{{"p99_ms", 1e9}}));
}

TEST(DeployRule, ErrorsNameTheBadToken) {
  auto expect_error = [](const std::string& text, const std::string& needle) {
    auto r = RollbackRule::parse(text);
    ASSERT_FALSE(r.is_ok()) << text;
    EXPECT_THAT(r.status().message(), HasSubstr(needle)) << text;
  };
  expect_error("p98_ms>50", "unknown metric 'p98_ms' at column 1");
  expect_error("p99_ms>>50", "expected a number after 'p99_ms>', got '>' at column 8");
  expect_error("p99_ms=50", "unknown operator '=' at column 7");
  expect_error("p99_ms>50 or", "expected a metric");
  expect_error("p99_ms>50 or", "the end of the rule");
  expect_error("p99_ms>fast", "expected a number after 'p99_ms>', got 'fast' at column 8");
  expect_error("p99_ms>50 xor error_rate>0", "expected 'or', 'and' or the end, got 'xor' at column 11");
  expect_error("(p99_ms>50", "expected ')'");
  expect_error("p99_ms 50", "expected a comparison");
  expect_error("p99_ms>5.0.1", "'5.0.1' at column 8 is not a number");
  expect_error("p99_ms>50 ; drop", "unexpected character ';' at column 11");
}

}  // namespace
}  // namespace fogline::hub
