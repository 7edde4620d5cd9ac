// Reshape's target shape: -1 and 0 as ONNX defines them, and hostile shapes (the CI fuzzer's
// finds) refused with an error instead of overflowing int64.
#include "engine/ops/shape/reshape_target.h"

#include <gtest/gtest.h>

#include <limits>

namespace fogline::engine::ops {
namespace {

TEST(ReshapeTarget, InfersMinusOneAndCopiesZero) {
  auto r = reshape_target({2, 3, 4}, {0, -1}, false);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(*r, (Shape{2, 12}));
  auto bad = reshape_target({2, 3, 4}, {5, -1}, false);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("cannot reshape"), std::string::npos) << bad.status().message();
}

TEST(ReshapeTarget, RefusesATargetThatOverflows) {
  const int64_t big = std::numeric_limits<int64_t>::max() / 2;
  auto r = reshape_target({4}, {big, 3}, false);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("more elements than int64"), std::string::npos) << r.status().message();
}

TEST(ReshapeTarget, RefusesAnInputShapeThatOverflows) {
  // As shape propagation can meet on a fuzzed model: the input's own product overflows.
  auto r = reshape_target({81915, 1125899906842623}, {-1}, false);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("too many elements"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace fogline::engine::ops
