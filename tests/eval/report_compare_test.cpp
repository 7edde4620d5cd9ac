#include "eval/report_compare.h"

#include <gtest/gtest.h>

namespace fogline::eval {
namespace {

nlohmann::json report(double overall, double cam1, double cam2, const char* metric = "accuracy") {
  return {{"primary_metric", metric},
          {"overall", {{metric, overall}}},
          {"slices", {{"camera", {{"cam1", {{metric, cam1}}}, {"cam2", {{metric, cam2}}}}}}}};
}

TEST(ReportCompare, FlagsASliceThatGotWorseWhileOverallImproved) {
  // Overall .80 -> .85, cam1 .70 -> .90, cam2 .90 -> .80 (worse by .10 > .02).
  auto c = compare_reports(report(0.80, 0.70, 0.90), report(0.85, 0.90, 0.80), 0.02);
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  EXPECT_FALSE(c->overall.worse);
  EXPECT_NEAR(c->overall.delta, 0.05, 1e-12);
  ASSERT_EQ(c->slices.size(), 2u);
  EXPECT_FALSE(c->slices[0].worse);
  EXPECT_TRUE(c->slices[1].worse);
  EXPECT_EQ(c->worse_slices, 1);
  std::string table = format_comparison(*c, 0.02);
  EXPECT_NE(table.find("cam2"), std::string::npos);
  EXPECT_NE(table.find("WORSE"), std::string::npos);
  // Within the tolerance nothing is flagged.
  auto small = compare_reports(report(0.80, 0.70, 0.90), report(0.80, 0.70, 0.89), 0.02);
  EXPECT_EQ(small->worse_slices, 0);
}

TEST(ReportCompare, LowerIsBetterForErrorsAndMissingSlices) {
  auto c = compare_reports(report(1.0, 1.0, 1.0, "mae"), report(0.9, 0.5, 1.2, "mae"), 0.1);
  ASSERT_TRUE(c.is_ok());
  EXPECT_FALSE(c->higher_is_better);
  EXPECT_TRUE(c->slices[1].worse);  // mae 1.0 -> 1.2
  nlohmann::json b = report(0.9, 0.9, 0.9);
  b["slices"]["camera"].erase("cam2");
  b["slices"]["camera"]["cam3"] = {{"accuracy", 0.5}};
  auto m = compare_reports(report(0.8, 0.8, 0.8), b, 0.01);
  ASSERT_TRUE(m.is_ok());
  ASSERT_EQ(m->slices.size(), 3u);
  EXPECT_TRUE(m->slices[1].missing);  // cam2
  EXPECT_TRUE(m->slices[2].missing);  // cam3
  EXPECT_FALSE(compare_reports(report(1, 1, 1, "AP"), report(1, 1, 1, "accuracy"), 0).is_ok());
}

}  // namespace
}  // namespace fogline::eval
