// The real models in $FOGLINE_SHARED/models against the reference outputs that came with them
// (mnist-8, super-resolution-10) or that OpenCV DNN computed (yolox-nano).
#include <gtest/gtest.h>

#include <cmath>

#include "engine/conformance.h"
#include "engine/session.h"
#include "engine/tensor_io.h"
#include "shared_data.h"

namespace fogline::engine {
namespace {

namespace fs = std::filesystem;
using testing::shared_dir;

// Runs every test_data_set_* under `sets_dir` and compares output_0 with rtol (atol 1e-5).
void expect_matches_reference(const fs::path& model, const fs::path& sets_dir, double rtol, double atol) {
  auto session = Session::open(model.string());
  ASSERT_TRUE(session.is_ok()) << session.status().to_string();
  int sets = 0;
  for (const auto& e : fs::directory_iterator(sets_dir)) {
    if (e.path().filename().string().rfind("test_data_set_", 0) != 0) continue;
    auto input = read_tensor_pb((e.path() / "input_0.pb").string());
    auto want = read_tensor_pb((e.path() / "output_0.pb").string());
    ASSERT_TRUE(input.is_ok() && want.is_ok());
    auto out = (*session)->run({*input});
    ASSERT_TRUE(out.is_ok()) << out.status().to_string();
    double max_abs = 0, max_rel = 0;
    std::string diff = compare_tensors(*want, (*out)[0], rtol, atol, &max_abs, &max_rel);
    EXPECT_EQ(diff, "") << e.path() << " max abs " << max_abs << " max rel " << max_rel;
    ++sets;
  }
  EXPECT_GT(sets, 0);
}

int64_t argmax(const Tensor& t) {
  int64_t best = 0;
  for (int64_t i = 1; i < t.numel(); ++i) best = t.value_as_double(i) > t.value_as_double(best) ? i : best;
  return best;
}

TEST(RealModels, Mnist8MatchesItsReferenceOutputs) {
  FOGLINE_REQUIRE_SHARED("models/mnist-8/model.onnx");
  fs::path dir = shared_dir() / "models/mnist-8";
  expect_matches_reference(dir / "model.onnx", dir, 1e-3, 1e-5);
}

TEST(RealModels, SuperResolution10MatchesItsReferenceOutput) {
  FOGLINE_REQUIRE_SHARED("models/super-resolution-10/model.onnx");
  fs::path dir = shared_dir() / "models/super-resolution-10";
  expect_matches_reference(dir / "model.onnx", dir, 1e-3, 1e-5);
}

TEST(RealModels, YoloxNanoMatchesOpenCvWithin1e3) {
  FOGLINE_REQUIRE_SHARED("models/yolox-nano/yolox_nano.onnx");
  fs::path dir = shared_dir() / "models/yolox-nano";
  // OpenCV computed the reference with its own kernels: 1e-3 relative, and 1e-3 absolute for
  // the class scores near zero where relative error means nothing.
  expect_matches_reference(dir / "yolox_nano.onnx", dir / "reference_opencv", 1e-3, 1e-3);
}

TEST(RealModels, ReferenceAndFastKernelsAgreeOnMnist) {
  FOGLINE_REQUIRE_SHARED("models/mnist-8/model.onnx");
  fs::path dir = shared_dir() / "models/mnist-8";
  SessionOptions reference;
  reference.reference_only = true;
  reference.optimize = false;
  auto fast = Session::open((dir / "model.onnx").string());
  auto plain = Session::open((dir / "model.onnx").string(), reference);
  ASSERT_TRUE(fast.is_ok() && plain.is_ok());
  auto input = read_tensor_pb((dir / "test_data_set_1/input_0.pb").string());
  ASSERT_TRUE(input.is_ok());
  auto a = (*fast)->run({*input});
  auto b = (*plain)->run({*input});
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  EXPECT_EQ(argmax((*a)[0]), argmax((*b)[0]));
  double max_abs = 0, max_rel = 0;
  EXPECT_EQ(compare_tensors((*b)[0], (*a)[0], 1e-4, 1e-3, &max_abs, &max_rel), "");
}

}  // namespace
}  // namespace fogline::engine
