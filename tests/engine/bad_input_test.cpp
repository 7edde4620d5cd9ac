// Bad input of every kind ends in a Status that names the problem, never in a crash.
#include <gtest/gtest.h>

#include "engine/session.h"
#include "model_builder.h"

namespace fogline::engine {
namespace {

using testing::TestModel;

std::string message_of(const Result<std::unique_ptr<Session>>& r) {
  return r.is_ok() ? "(loaded)" : r.status().message();
}

TEST(BadInput, MissingInitializerNamesTheNodeAndTheValue) {
  TestModel m;
  m.input("x", DataType::kFloat, {2});
  m.node("Add", {"x", "bias_that_is_not_there"}, {"y"});
  Shape s{2};
  m.output("y", DataType::kFloat, &s);
  ImportOptions no_checker;
  no_checker.run_checker = false;
  SessionOptions opts;
  opts.import = no_checker;
  auto r = m.session(opts);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(message_of(r).find("bias_that_is_not_there"), std::string::npos) << message_of(r);
  // With the checker on, the ONNX checker catches it first, also by name.
  auto checked = m.session();
  ASSERT_FALSE(checked.is_ok());
  EXPECT_NE(message_of(checked).find("bias_that_is_not_there"), std::string::npos) << message_of(checked);
}

TEST(BadInput, InitializerWithTooFewBytesIsRejected) {
  TestModel m;
  m.input("x", DataType::kFloat, {4});
  m.initializer("w", Tensor::from_vector<float>({4}, {1, 2, 3, 4}));
  // Corrupt the raw data: 4 floats need 16 bytes.
  m.proto().mutable_graph()->mutable_initializer(0)->set_raw_data(std::string(10, '\0'));
  m.node("Add", {"x", "w"}, {"y"});
  m.output("y");
  auto r = m.session();
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(message_of(r).find("'w'"), std::string::npos) << message_of(r);
}

TEST(BadInput, ExternalDataOutsideTheModelFolderIsRefused) {
  TestModel m;
  m.input("x", DataType::kFloat, {4});
  m.initializer("w", Tensor::from_vector<float>({4}, {1, 2, 3, 4}));
  auto* init = m.proto().mutable_graph()->mutable_initializer(0);
  init->clear_raw_data();
  init->set_data_location(onnx::TensorProto::EXTERNAL);
  auto* kv = init->add_external_data();
  kv->set_key("location");
  kv->set_value("../../etc/passwd");
  m.node("Add", {"x", "w"}, {"y"});
  m.output("y");
  auto r = m.session();
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(message_of(r).find("outside the model folder"), std::string::npos) << message_of(r);
}

TEST(BadInput, AbsurdInputDimensionsFailWithAnAllocationError) {
  Result<Tensor> t = Tensor::allocate(DataType::kFloat, {1000000, 1000000, 1000});
  ASSERT_FALSE(t.is_ok());
  EXPECT_EQ(t.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(t.status().message().find("[1000000,1000000,1000]"), std::string::npos);
  Result<Tensor> overflow = Tensor::allocate(DataType::kFloat, {1ll << 40, 1ll << 40});
  EXPECT_FALSE(overflow.is_ok());
}

TEST(BadInput, NegativeDimensionIsAnError) {
  auto t = Tensor::allocate(DataType::kFloat, {2, -3});
  ASSERT_FALSE(t.is_ok());
  EXPECT_NE(t.status().message().find("negative"), std::string::npos);
}

TEST(BadInput, RunWithTheWrongNumberOfInputs) {
  TestModel m;
  m.input("x", DataType::kFloat, {2});
  m.node("Relu", {"x"}, {"y"});
  m.output("y");
  auto s = m.session();
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  auto r = (*s)->run({});
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("takes 1 inputs, got 0"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace fogline::engine
