#include "eval/classification_metrics.h"

#include <gtest/gtest.h>

#include <cmath>

namespace fogline::eval {
namespace {

TEST(ClassificationMetrics, HandComputedPrecisionRecallF1) {
  // (label, predicted): (0,0) (0,1) (1,1) (1,1) (2,0); class 3 never occurs.
  ClassificationAccumulator acc(4, 2);
  for (auto [label, pred] : std::vector<std::pair<int, int>>{{0, 0}, {0, 1}, {1, 1}, {1, 1}, {2, 0}}) {
    ASSERT_TRUE(acc.add_ranked(label, {pred}).is_ok());
  }
  auto m = acc.finish();
  EXPECT_EQ(m.count, 5);
  EXPECT_DOUBLE_EQ(m.accuracy, 0.6);
  // class 0: P 1/2 R 1/2; class 1: P 2/3 R 1 F1 .8; class 2: P 0 (never predicted) R 0.
  EXPECT_DOUBLE_EQ(m.per_class[0].precision, 0.5);
  EXPECT_DOUBLE_EQ(m.per_class[1].precision, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.per_class[1].recall, 1.0);
  EXPECT_NEAR(m.per_class[1].f1, 0.8, 1e-12);
  EXPECT_DOUBLE_EQ(m.per_class[2].recall, 0.0);
  EXPECT_EQ(m.per_class[1].predicted, 3);
  // Macro over the 3 classes seen (class 3 is left out).
  EXPECT_EQ(m.classes_seen, 3);
  EXPECT_NEAR(m.macro_precision, (0.5 + 2.0 / 3.0 + 0) / 3, 1e-12);
  EXPECT_NEAR(m.macro_recall, 0.5, 1e-12);
  EXPECT_NEAR(m.macro_f1, (0.5 + 0.8 + 0) / 3, 1e-12);
  EXPECT_DOUBLE_EQ(m.micro_precision, 0.6);
  EXPECT_DOUBLE_EQ(m.micro_f1, 0.6);
  EXPECT_EQ(m.confusion_at(0, 1), 1);
  EXPECT_EQ(m.confusion_at(1, 1), 2);
  EXPECT_EQ(m.confusion_at(2, 0), 1);
  EXPECT_EQ(m.confusion_at(2, 2), 0);
  auto j = m.to_json({"a", "b", "c", "d"});
  EXPECT_EQ(j["per_class"].size(), 3u);
  EXPECT_EQ(j["per_class"][1]["name"], "b");
  EXPECT_EQ(j["confusion"].size(), 4u);  // non-zero cells only
}

TEST(ClassificationMetrics, TopKFromScoresWithTies) {
  ClassificationAccumulator top2(4, 2), top3(4, 3);
  std::vector<float> s{0.5f, 0.3f, 0.2f, 0.0f};
  ASSERT_TRUE(top2.add_scores(2, s).is_ok());
  ASSERT_TRUE(top3.add_scores(2, s).is_ok());
  EXPECT_DOUBLE_EQ(top2.finish().top_k_accuracy, 0.0);
  EXPECT_DOUBLE_EQ(top3.finish().top_k_accuracy, 1.0);
  EXPECT_DOUBLE_EQ(top3.finish().accuracy, 0.0);
  // Equal scores: the lower index wins.
  std::vector<float> tie{1, 1, 0, 0};
  EXPECT_EQ(top_k_indices(tie.data(), tie.size(), 2), (std::vector<int>{0, 1}));
}

TEST(ClassificationMetrics, RejectsBadInput) {
  ClassificationAccumulator acc(3);
  EXPECT_FALSE(acc.add_scores(0, std::vector<float>{1, 2}).is_ok());
  EXPECT_FALSE(acc.add_scores(5, std::vector<float>{1, 2, 3}).is_ok());
  EXPECT_FALSE(acc.add_scores(0, std::vector<float>{1, NAN, 3}).is_ok());
  EXPECT_FALSE(acc.add_ranked(0, {}).is_ok());
  EXPECT_EQ(acc.count(), 0);
}

TEST(ClassificationMetrics, MergeAddsCounts) {
  ClassificationAccumulator a(2, 1), b(2, 1);
  ASSERT_TRUE(a.add_ranked(0, {0}).is_ok());
  ASSERT_TRUE(b.add_ranked(1, {0}).is_ok());
  ASSERT_TRUE(a.merge(b).is_ok());
  EXPECT_DOUBLE_EQ(a.finish().accuracy, 0.5);
  EXPECT_FALSE(a.merge(ClassificationAccumulator(3, 1)).is_ok());
}

TEST(RegressionMetrics, MaeRmseBias) {
  RegressionAccumulator acc;
  // errors (prediction - target): 1, 0, 2.
  ASSERT_TRUE(acc.add(1, 2).is_ok());
  ASSERT_TRUE(acc.add(2, 2).is_ok());
  ASSERT_TRUE(acc.add(3, 5).is_ok());
  EXPECT_FALSE(acc.add(NAN, 1).is_ok());
  auto m = acc.finish();
  EXPECT_EQ(m.count, 3);
  EXPECT_DOUBLE_EQ(m.mae, 1.0);
  EXPECT_DOUBLE_EQ(m.rmse, std::sqrt(5.0 / 3.0));
  EXPECT_DOUBLE_EQ(m.mean_error, 1.0);
  EXPECT_DOUBLE_EQ(m.max_abs_error, 2.0);
  EXPECT_EQ(RegressionAccumulator().finish().count, 0);
}

}  // namespace
}  // namespace fogline::eval
