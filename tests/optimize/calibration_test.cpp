#include "optimize/calibration.h"

#include <gtest/gtest.h>

#include <cmath>

namespace fogline::optimize {
namespace {

AbsHistogram uniform_histogram(int bins, int filled, double max_abs) {
  AbsHistogram h;
  h.max_abs = max_abs;
  h.counts.assign(static_cast<size_t>(bins), 0.0);
  for (int i = 0; i < filled; ++i) h.counts[static_cast<size_t>(i)] = 100;
  return h;
}

TEST(Calibration, HistogramOfAbsoluteValues) {
  AbsHistogram h;
  h.max_abs = 4;
  h.counts.assign(4, 0);
  float x[] = {-3.5f, 0.1f, 1.0f, 4.0f, -0.9f, NAN, 0.0f};
  h.add(x, 7);
  EXPECT_EQ(h.counts[0], 2);  // 0.1, 0.9 (exact zeros are not counted)
  EXPECT_EQ(h.counts[1], 1);  // 1.0
  EXPECT_EQ(h.counts[3], 2);  // 3.5 and 4.0 (the top edge goes into the last bin)
}

TEST(Calibration, PercentileOfAUniformHistogram) {
  AbsHistogram h = uniform_histogram(1000, 1000, 1.0);
  EXPECT_NEAR(percentile_threshold(h, 99.0), 0.99, 1e-9);
  EXPECT_NEAR(percentile_threshold(h, 50.0), 0.5, 1e-9);
  EXPECT_NEAR(percentile_threshold(h, 100.0), 1.0, 1e-9);
}

TEST(Calibration, EntropyKeepsTheWholeRangeOfAUniformDistribution) {
  // Nothing to gain from clipping a flat histogram: the threshold is the last bin.
  AbsHistogram h = uniform_histogram(2048, 2048, 8.0);
  EXPECT_NEAR(entropy_threshold(h), 8.0, 1e-9);
}

TEST(Calibration, EntropyClipsARareFarOutlier) {
  // A rough body on the first 512 bins and a handful of counts at the far end: covering the
  // outlier would merge 16 body bins per level and lose their shape, so the KL threshold
  // lands at the end of the body (min-max would take 2048).
  AbsHistogram h = uniform_histogram(2048, 512, 2048.0);
  uint32_t seed = 1;
  for (int i = 0; i < 512; ++i) {
    seed = seed * 1664525u + 1013904223u;
    h.counts[i] = 700 + (seed >> 22) % 600;
  }
  h.counts[2047] = 3;
  double t = entropy_threshold(h);
  EXPECT_GE(t, 512.0);
  EXPECT_LE(t, 600.0);  // ~4 bins per level; the outlier is at 2048
  // Percentile at 99.9 % clips it too.
  EXPECT_LE(percentile_threshold(h, 99.9), 512.0);
}

TEST(Calibration, EntropyOfAGaussianIsBetweenTwoAndFiveSigma) {
  AbsHistogram h;
  h.max_abs = 8.0;  // sigma 1, histogram up to 8 sigma
  h.counts.assign(2048, 0);
  for (int i = 0; i < 2048; ++i) {
    double x = (i + 0.5) * h.bin_width();
    h.counts[i] = std::round(1e7 * std::exp(-x * x / 2));
  }
  double t = entropy_threshold(h);
  EXPECT_GT(t, 2.0);
  EXPECT_LT(t, 5.0);
}

TEST(Calibration, ChooseRangeKeepsZeroAndTheSignOfTheData) {
  CalibrationOptions minmax;
  TensorRange r = choose_range(0.2f, 5.0f, nullptr, minmax);
  EXPECT_EQ(r.lo, 0.0f);  // widened to include 0
  EXPECT_EQ(r.hi, 5.0f);
  CalibrationOptions pct;
  pct.method = CalibrationMethod::kPercentile;
  pct.percentile = 50;
  AbsHistogram h = uniform_histogram(100, 100, 5.0);
  TensorRange c = choose_range(0.0f, 5.0f, &h, pct);
  EXPECT_EQ(c.lo, 0.0f);  // non-negative data keeps lo = 0 (all u8 levels on [0, T])
  EXPECT_NEAR(c.hi, 2.5f, 1e-6);
  TensorRange s = choose_range(-1.0f, 5.0f, &h, pct);
  EXPECT_FLOAT_EQ(s.lo, -1.0f);  // inside the threshold: unchanged
}

TEST(Calibration, ParsesMethodNames) {
  EXPECT_EQ(*parse_calibration_method("entropy"), CalibrationMethod::kEntropy);
  EXPECT_FALSE(parse_calibration_method("mse").is_ok());
}

}  // namespace
}  // namespace fogline::optimize
