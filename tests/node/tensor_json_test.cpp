// The Open Inference Protocol tensor codec alone: datatypes, nested vs flat data, and the
// messages a client sees for each mistake.
#include <gtest/gtest.h>

#include "node/serving/predict.h"
#include "node/serving/tensor_json.h"

namespace fogline::node {
namespace {

using engine::DataType;
using nlohmann::json;

engine::ValueType declared(DataType t, std::vector<int64_t> dims) {
  engine::ValueType v;
  v.dtype = t;
  v.has_shape = true;
  for (int64_t d : dims) {
    engine::Dim dim;
    dim.value = d;
    if (d < 0) dim.symbol = "batch";
    v.dims.push_back(dim);
  }
  return v;
}

TEST(TensorJson, DatatypeNamesRoundTrip) {
  for (const char* n : {"BOOL", "UINT8", "INT8", "UINT16", "INT16", "UINT32", "INT32", "INT64", "FP16", "FP32", "FP64"}) {
    auto t = oip_datatype_from_name(n);
    ASSERT_TRUE(t.has_value()) << n;
    EXPECT_EQ(*oip_datatype(*t), n);
  }
  EXPECT_FALSE(oip_datatype_from_name("FP8").has_value());
  EXPECT_FALSE(oip_datatype(DataType::kBFloat16).has_value());
}

TEST(TensorJson, FlatAndNestedGiveTheSameTensor) {
  auto type = declared(DataType::kFloat, {-1, 3});
  auto flat = tensor_from_oip({{"name", "x"}, {"datatype", "FP32"}, {"shape", {2, 3}}, {"data", {1, 2, 3, 4, 5, 6}}}, type);
  auto nested = tensor_from_oip({{"name", "x"}, {"datatype", "FP32"}, {"shape", {2, 3}}, {"data", {{1, 2, 3}, {4, 5, 6}}}}, type);
  ASSERT_TRUE(flat.is_ok()) << flat.status().message();
  ASSERT_TRUE(nested.is_ok()) << nested.status().message();
  for (int i = 0; i < 6; ++i) EXPECT_EQ(flat->data<float>()[i], nested->data<float>()[i]);
  EXPECT_EQ(nested->data<float>()[4], 5.0f);
}

TEST(TensorJson, NestingThatDisagreesWithTheShapeIsNamed) {
  auto type = declared(DataType::kFloat, {-1, 3});
  auto r = tensor_from_oip({{"name", "x"}, {"datatype", "FP32"}, {"shape", {2, 3}}, {"data", {{1, 2, 3}, {4, 5}}}}, type);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("input 'x' data[1] has 2 elements, but dimension 1 of the shape is 3"), std::string::npos)
      << r.status().message();
}

TEST(TensorJson, MistakesAreNamed) {
  auto type = declared(DataType::kInt64, {2});
  auto wrong_type = tensor_from_oip({{"name", "ids"}, {"datatype", "INT32"}, {"shape", {2}}, {"data", {1, 2}}}, type);
  EXPECT_NE(wrong_type.status().message().find("datatype INT32 does not match the model's INT64[2]"), std::string::npos);
  auto wrong_shape = tensor_from_oip({{"name", "ids"}, {"datatype", "INT64"}, {"shape", {3}}, {"data", {1, 2, 3}}}, type);
  EXPECT_NE(wrong_shape.status().message().find("shape [3] does not match the model's INT64[2]"), std::string::npos);
  auto short_data = tensor_from_oip({{"name", "ids"}, {"datatype", "INT64"}, {"shape", {2}}, {"data", {1}}}, type);
  EXPECT_NE(short_data.status().message().find("data has 1 elements, shape [2] needs 2"), std::string::npos);
  auto not_int = tensor_from_oip({{"name", "ids"}, {"datatype", "INT64"}, {"shape", {2}}, {"data", {1, 2.5}}}, type);
  EXPECT_NE(not_int.status().message().find("data[1] = 2.5 is not an integer"), std::string::npos);
  auto u8 = tensor_from_oip({{"name", "p"}, {"datatype", "UINT8"}, {"shape", {1}}, {"data", {256}}},
                            declared(DataType::kUInt8, {1}));
  EXPECT_NE(u8.status().message().find("out of range"), std::string::npos);
  auto b = tensor_from_oip({{"name", "m"}, {"datatype", "BOOL"}, {"shape", {1}}, {"data", {1}}}, declared(DataType::kBool, {1}));
  EXPECT_NE(b.status().message().find("is not true or false"), std::string::npos);
}

TEST(TensorJson, Fp16AndBoolRoundTrip) {
  auto h = tensor_from_oip({{"name", "h"}, {"datatype", "FP16"}, {"shape", {2}}, {"data", {1.5, -0.25}}},
                           declared(DataType::kFloat16, {2}));
  ASSERT_TRUE(h.is_ok()) << h.status().message();
  auto j = tensor_to_oip("h", *h);
  ASSERT_TRUE(j.is_ok());
  EXPECT_EQ((*j)["datatype"], "FP16");
  EXPECT_EQ((*j)["data"], json({1.5, -0.25}));
  auto b = tensor_from_oip({{"name", "m"}, {"datatype", "BOOL"}, {"shape", {2}}, {"data", {true, false}}},
                           declared(DataType::kBool, {2}));
  ASSERT_TRUE(b.is_ok());
  EXPECT_EQ((*tensor_to_oip("m", *b))["data"], json({true, false}));
}

TEST(Base64, DecodesWithAndWithoutPadding) {
  EXPECT_EQ(*base64_decode("aGVsbG8="), "hello");
  EXPECT_EQ(*base64_decode("aGVsbG8"), "hello");
  EXPECT_FALSE(base64_decode("aGV*bG8=").is_ok());
}

}  // namespace
}  // namespace fogline::node
