#include "engine/session.h"

#include <gtest/gtest.h>

#include <thread>

#include "model_builder.h"

namespace fogline::engine {
namespace {

using testing::TestModel;

TestModel add_relu_model() {
  TestModel m;
  m.input("a", DataType::kFloat, {2, 3});
  m.input("b", DataType::kFloat, {3});
  m.node("Add", {"a", "b"}, {"s"});
  m.node("Relu", {"s"}, {"y"});
  m.output("y", DataType::kFloat);
  return m;
}

TEST(Session, RunsATinyModelWithBroadcasting) {
  auto s = add_relu_model().session();
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  ASSERT_EQ((*s)->inputs().size(), 2u);
  EXPECT_EQ((*s)->inputs()[0].type.to_string(), "float32[2,3]");
  auto a = Tensor::from_vector<float>({2, 3}, {1, -2, 3, -4, 5, -6});
  auto b = Tensor::from_vector<float>({3}, {0.5f, 0.5f, 0.5f});
  auto out = (*s)->run({a, b});
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  std::vector<float> want = {1.5f, 0, 3.5f, 0, 5.5f, 0};
  ASSERT_EQ((*out)[0].shape(), (Shape{2, 3}));
  for (int i = 0; i < 6; ++i) EXPECT_FLOAT_EQ((*out)[0].data<float>()[i], want[i]);
}

TEST(Session, PlansMemoryAfterTheFirstRunAndGivesTheSameAnswer) {
  auto s = add_relu_model().session();
  ASSERT_TRUE(s.is_ok());
  auto a = testing::random_tensor({2, 3}, 1);
  auto b = testing::random_tensor({3}, 2);
  auto first = (*s)->run({a, b});
  EXPECT_GT((*s)->planned_arena_bytes(), 0u);
  RunStats stats;
  auto second = (*s)->run({a, b}, &stats);
  EXPECT_TRUE(stats.used_plan);
  for (int i = 0; i < 6; ++i) EXPECT_EQ((*first)[0].data<float>()[i], (*second)[0].data<float>()[i]);
}

TEST(Session, RejectsWrongInputsWithMessagesNamingThem) {
  auto s = add_relu_model().session();
  ASSERT_TRUE(s.is_ok());
  auto good = Tensor::from_vector<float>({3}, {1, 2, 3});
  auto wrong_shape = (*s)->run({Tensor::from_vector<float>({3, 2}, {}), good});
  ASSERT_FALSE(wrong_shape.is_ok());
  EXPECT_NE(wrong_shape.status().message().find("'a'"), std::string::npos) << wrong_shape.status().message();
  auto wrong_type = (*s)->run({Tensor::from_vector<int64_t>({2, 3}, {}), good});
  ASSERT_FALSE(wrong_type.is_ok());
  EXPECT_NE(wrong_type.status().message().find("float32"), std::string::npos);
  auto wrong_name = (*s)->run_named({{"nope", good}});
  ASSERT_FALSE(wrong_name.is_ok());
  EXPECT_NE(wrong_name.status().message().find("'nope'"), std::string::npos);
}

TEST(Session, ConcurrentRunsOnOneSessionAgree) {
  auto s = add_relu_model().session();
  ASSERT_TRUE(s.is_ok());
  const Session& session = **s;
  auto b = testing::random_tensor({3}, 7);
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < 200; ++k) {
        auto a = testing::random_tensor({2, 3}, static_cast<uint32_t>(t * 1000 + k));
        auto out = session.run({a, b});
        if (!out.is_ok()) {
          mismatches[t]++;
          continue;
        }
        for (int i = 0; i < 6; ++i) {
          float want = std::max(0.0f, a.data<float>()[i] + b.data<float>()[i % 3]);
          if ((*out)[0].data<float>()[i] != want) mismatches[t]++;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

TEST(Session, UnsupportedOpIsReportedAtLoadWithNameDomainOpsetAndNode) {
  TestModel m;
  m.import_domain("com.example", 1);
  m.input("x", DataType::kFloat, {1});
  auto& n = m.node("Frobnicate", {"x"}, {"y"}, "com.example");
  n.set_name("frob_1");
  Shape one{1};
  m.output("y", DataType::kFloat, &one);
  auto s = m.session();
  ASSERT_FALSE(s.is_ok());
  const std::string& msg = s.status().message();
  EXPECT_EQ(s.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(msg.find("Frobnicate"), std::string::npos) << msg;
  EXPECT_NE(msg.find("com.example"), std::string::npos) << msg;
  EXPECT_NE(msg.find("opset 1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("frob_1"), std::string::npos) << msg;
}

TEST(Session, GraphCycleIsAnErrorNotAHang) {
  TestModel m;
  m.input("x", DataType::kFloat, {1});
  m.node("Add", {"x", "b"}, {"a"});
  m.node("Relu", {"a"}, {"b"});
  m.output("b", DataType::kFloat);
  ImportOptions no_checker;
  no_checker.run_checker = false;  // the checker would reject it first; the IR must too
  SessionOptions opts;
  opts.import = no_checker;
  auto s = m.session(opts);
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.status().message().find("cycle"), std::string::npos) << s.status().message();
}

TEST(Session, TruncatedAndGarbageBytesAreRejected) {
  std::string bytes = add_relu_model().bytes();
  for (size_t cut : {size_t{0}, size_t{1}, bytes.size() / 2, bytes.size() - 1}) {
    auto s = Session::from_bytes(bytes.substr(0, cut));
    EXPECT_FALSE(s.is_ok()) << "cut at " << cut;
  }
  EXPECT_FALSE(Session::from_bytes("PK\x03\x04 not a model at all").is_ok());
}

}  // namespace
}  // namespace fogline::engine
