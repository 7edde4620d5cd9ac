#include "optimize/tolerance.h"

#include <gtest/gtest.h>

namespace fogline::optimize {
namespace {

TEST(Tolerance, ParsesMetricAndDeltaInPoints) {
  auto t = parse_tolerance("top1>=-0.5");
  ASSERT_TRUE(t.is_ok()) << t.status().message();
  EXPECT_EQ(t->metric, "top1");
  EXPECT_DOUBLE_EQ(t->min_delta_points, -0.5);
  EXPECT_TRUE(t->holds(0.840, 0.836));   // -0.4 points
  EXPECT_TRUE(t->holds(0.840, 0.835));   // -0.5 exactly
  EXPECT_FALSE(t->holds(0.840, 0.834));  // -0.6
  auto m = parse_tolerance(" map50 >= -1.0 ");
  ASSERT_TRUE(m.is_ok()) << m.status().message();
  EXPECT_EQ(m->metric, "map50");
  EXPECT_EQ(m->to_string(), "map50>=-1");
  auto zero = parse_tolerance("top1>=0");
  ASSERT_TRUE(zero.is_ok());
  EXPECT_TRUE(zero->holds(0.84, 0.84));
  EXPECT_FALSE(zero->holds(0.84, 0.838));
}

TEST(Tolerance, ErrorsNameWhatIsWrong) {
  struct Case {
    const char* text;
    const char* expect;
  } cases[] = {
      {"top1<-0.5", "expected METRIC>=DELTA"},
      {"top1", "expected METRIC>=DELTA"},
      {"top3>=-1", "unknown metric 'top3'"},
      {">=-1", "unknown metric ''"},
      {"top1>=", "no delta"},
      {"top1>=abc", "'abc' is not a number"},
      {"top1>=-0.5pts", "'-0.5pts' is not a number"},
      {"map50>=-300", "outside [-100, 100]"},
  };
  for (const auto& c : cases) {
    auto t = parse_tolerance(c.text);
    ASSERT_FALSE(t.is_ok()) << c.text;
    EXPECT_NE(t.status().message().find(c.expect), std::string::npos) << c.text << ": " << t.status().message();
  }
  // The list of known metrics is part of the message.
  EXPECT_NE(parse_tolerance("acc>=0").status().message().find("top1, top5, map50"), std::string::npos);
}

}  // namespace
}  // namespace fogline::optimize
