// libonnx's tools run in the fogline-onnx-tools helper: results come back whole, and a helper
// that crashes, hangs or is missing becomes a Status that says so, never a dead or hung engine.
#include "engine/onnx_tools_sandbox.h"

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <thread>
#include <vector>

#include "model_builder.h"

namespace fogline::engine {
namespace {

using testing::TestModel;

// y = x + w with a weight large enough (40 kB) that the helper sends it back without its data.
onnx::ModelProto add_model(size_t weights = 10000) {
  TestModel m;
  const Shape shape{1, static_cast<int64_t>(weights)};
  m.input("x", DataType::kFloat, shape);
  std::vector<float> w(weights);
  for (size_t i = 0; i < weights; ++i) w[i] = static_cast<float>(i) * 0.5f;
  m.initializer("w", Tensor::from_vector<float>({1, static_cast<int64_t>(weights)}, w));
  m.node("Add", {"x", "w"}, {"s"});
  m.node("Relu", {"s"}, {"y"});
  m.output("y", DataType::kFloat, &shape);
  return m.proto();
}

// A stand-in helper: a shell script at a temporary path, named by FOGLINE_ONNX_TOOLS.
class FakeHelper {
 public:
  explicit FakeHelper(const std::string& body) {
    path_ = ::testing::TempDir() + "fake-onnx-tools-" + std::to_string(::getpid()) + ".sh";
    std::ofstream(path_) << "#!/bin/sh\n" << body << "\n";
    ::chmod(path_.c_str(), 0700);
    ::setenv("FOGLINE_ONNX_TOOLS", path_.c_str(), 1);
  }
  ~FakeHelper() {
    ::unsetenv("FOGLINE_ONNX_TOOLS");
    std::remove(path_.c_str());
  }

 private:
  std::string path_;
};

TEST(OnnxToolsSandbox, InfersShapesAndReturnsLargeInitializersIntact) {
  onnx::ModelProto model = add_model();
  const std::string weights = model.graph().initializer(0).raw_data();
  auto r = run_onnx_tools(model, {});
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  ASSERT_EQ(model.graph().initializer_size(), 1);
  EXPECT_EQ(model.graph().initializer(0).raw_data(), weights);
  // Shape inference ran in the helper: the intermediate value has its type and shape.
  bool found = false;
  for (const auto& vi : model.graph().value_info()) {
    if (vi.name() != "s") continue;
    found = true;
    ASSERT_EQ(vi.type().tensor_type().shape().dim_size(), 2);
    EXPECT_EQ(vi.type().tensor_type().shape().dim(1).dim_value(), 10000);
  }
  EXPECT_TRUE(found);
}

TEST(OnnxToolsSandbox, CheckerRejectionNamesTheProblem) {
  onnx::ModelProto model = add_model(4);
  model.mutable_graph()->mutable_node(0)->set_op_type("NoSuchOperator");
  auto r = run_onnx_tools(model, {});
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("the ONNX checker rejects the model"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("NoSuchOperator"), std::string::npos) << r.status().message();
}

TEST(OnnxToolsSandbox, AHelperThatCrashesIsAnErrorNotACrash) {
  FakeHelper helper("kill -SEGV $$");
  onnx::ModelProto model = add_model(4);
  auto r = run_onnx_tools(model, {});
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("crashed (signal 11)"), std::string::npos) << r.status().message();
}

TEST(OnnxToolsSandbox, AHelperThatHangsIsKilledAfterTheTimeout) {
  FakeHelper helper("exec sleep 60");
  onnx::ModelProto model = add_model(4);
  OnnxToolsOptions options;
  options.timeout_seconds = 1;
  auto started = std::chrono::steady_clock::now();
  auto r = run_onnx_tools(model, options);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("did not finish within 1 s"), std::string::npos) << r.status().message();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
}

TEST(OnnxToolsSandbox, AMissingHelperIsNamed) {
  ::setenv("FOGLINE_ONNX_TOOLS", "/nonexistent/fogline-onnx-tools", 1);
  onnx::ModelProto model = add_model(4);
  auto r = run_onnx_tools(model, {});
  ::unsetenv("FOGLINE_ONNX_TOOLS");
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("/nonexistent/fogline-onnx-tools"), std::string::npos) << r.status().message();
}

// The bug this design removes: a fork() taken while another thread held a lock (the allocator's,
// say) left a child that waited on it forever. Here other threads allocate without pause while
// several threads run the tools at once; every call must come back.
TEST(OnnxToolsSandbox, RunsWhileOtherThreadsAllocate) {
  std::atomic<bool> stop{false};
  std::vector<std::thread> churn;
  for (int t = 0; t < 2; ++t) {
    churn.emplace_back([&] {
      while (!stop.load()) {
        std::vector<std::unique_ptr<char[]>> blocks;
        for (int i = 0; i < 64; ++i) blocks.emplace_back(new char[1 + (i * 977) % 8192]);
      }
    });
  }
  std::atomic<int> ok{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 3; ++t) {
    callers.emplace_back([&] {
      for (int i = 0; i < 4; ++i) {
        onnx::ModelProto model = add_model(64);
        if (run_onnx_tools(model, {}).is_ok()) ++ok;
      }
    });
  }
  for (auto& c : callers) c.join();
  stop = true;
  for (auto& c : churn) c.join();
  EXPECT_EQ(ok.load(), 12);
}

}  // namespace
}  // namespace fogline::engine
