#include "optimize/quant_math.h"

#include <gtest/gtest.h>

#include <cmath>

#include "engine/model_builder.h"

namespace fogline::optimize {
namespace {

using engine::DataType;
using engine::Tensor;

TEST(QuantMath, AffineParamsMakeZeroExactAndCoverTheRange) {
  QuantParams p = affine_params(-1.0f, 3.0f, DataType::kUInt8);
  EXPECT_FLOAT_EQ(p.scale, 4.0f / 255.0f);
  EXPECT_EQ(p.zero_point, 64);  // round(1 / (4/255)) = round(63.75)
  EXPECT_EQ(quantize_value(0.0f, p, DataType::kUInt8), p.zero_point);
  EXPECT_EQ(dequantize_value(p.zero_point, p), 0.0f);
  // A positive-only range still includes 0: ReLU outputs get zero point 0.
  QuantParams relu = affine_params(0.5f, 6.0f, DataType::kUInt8);
  EXPECT_EQ(relu.zero_point, 0);
  EXPECT_FLOAT_EQ(relu.scale, 6.0f / 255.0f);
  QuantParams s8 = affine_params(-1.0f, 3.0f, DataType::kInt8);
  EXPECT_EQ(s8.zero_point, -64);  // -128 + round(63.75)
}

TEST(QuantMath, RoundTripErrorIsAtMostHalfAStepInsideTheRange) {
  QuantParams p = affine_params(-1.3f, 2.7f, DataType::kUInt8);
  for (int i = 0; i <= 1000; ++i) {
    float x = -1.3f + 4.0f * i / 1000.0f;
    float back = dequantize_value(quantize_value(x, p, DataType::kUInt8), p);
    EXPECT_LE(std::fabs(back - x), p.scale / 2 + 1e-6f) << x;
  }
  // Outside the range it saturates.
  EXPECT_EQ(quantize_value(100.0f, p, DataType::kUInt8), 255);
  EXPECT_EQ(quantize_value(-100.0f, p, DataType::kUInt8), 0);
}

TEST(QuantMath, RoundsHalfToEvenAsQuantizeLinear) {
  QuantParams p{1.0f, 0};
  EXPECT_EQ(quantize_value(2.5f, p, DataType::kUInt8), 2);
  EXPECT_EQ(quantize_value(3.5f, p, DataType::kUInt8), 4);
  EXPECT_EQ(quantize_value(-2.5f, p, DataType::kInt8), -2);
}

TEST(QuantMath, PerChannelSymmetricWeights) {
  Tensor w = engine::testing::random_tensor({4, 3, 3, 3}, 7, -2.0f, 2.0f);
  w.data<float>()[27] = 5.0f;  // channel 1 has a larger range
  auto q = quantize_per_channel_symmetric(w, 0);
  ASSERT_TRUE(q.is_ok()) << q.status().message();
  ASSERT_EQ(q->scales.size(), 4u);
  EXPECT_FLOAT_EQ(q->scales[1], 5.0f / 127.0f);
  EXPECT_EQ(q->values.data<int8_t>()[27], 127);
  for (int64_t i = 0; i < w.numel(); ++i) {
    const int c = static_cast<int>(i / 27);
    const int8_t v = q->values.data<int8_t>()[i];
    EXPECT_GE(v, -127);
    EXPECT_LE(std::fabs(v * q->scales[c] - w.data<float>()[i]), q->scales[c] / 2 + 1e-6f);
  }
  auto back = dequantize_tensor(q->values, q->scales, {0, 0, 0, 0}, 0);
  ASSERT_TRUE(back.is_ok());
  EXPECT_EQ(back->data<float>()[27], 127 * q->scales[1]);
}

TEST(QuantMath, PerChannelAlongTheLastAxisOfAMatMulWeight) {
  Tensor w = Tensor::from_vector<float>({2, 3}, {1, -4, 0.5f, -2, 2, 0});
  auto q = quantize_per_channel_symmetric(w, 1);
  ASSERT_TRUE(q.is_ok());
  EXPECT_FLOAT_EQ(q->scales[0], 2.0f / 127);
  EXPECT_FLOAT_EQ(q->scales[1], 4.0f / 127);
  EXPECT_FLOAT_EQ(q->scales[2], 0.5f / 127);
  EXPECT_EQ(q->values.data<int8_t>()[1], -127);
  EXPECT_EQ(q->values.data<int8_t>()[3], -127);
  // An all-zero channel gets scale 1, not 0 (a zero scale is invalid in QuantizeLinear).
  Tensor z = Tensor::from_vector<float>({2, 1}, {0, 0});
  EXPECT_EQ(quantize_per_channel_symmetric(z, 1)->scales[0], 1.0f);
}

TEST(QuantMath, DequantizeRefusesMismatchedChannels) {
  Tensor q = Tensor::from_vector<int8_t>({2, 3}, {1, 2, 3, 4, 5, 6});
  auto r = dequantize_tensor(q, {1.0f, 2.0f}, {}, 1);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("2 scales for axis 1"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace fogline::optimize
