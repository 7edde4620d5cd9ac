// Our preprocessing against the inputs OpenCV's DNN pipeline produced for the shared reference
// outputs (../shared/models/*/reference_opencv): the MobileNetV2 ImageNet recipe (shorter side
// 256, centre crop 224, mean/std) and the YOLOX letterbox (BGR, 0..255, top-left, fill 114).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "engine/tensor_io.h"
#include "processing/preprocess.h"

namespace fogline::processing {
namespace {

std::string shared_dir() {
  const char* env = std::getenv("FOGLINE_SHARED");
  return env ? env : std::string(FOGLINE_SOURCE_DIR) + "/../shared";
}

// Fraction of elements within `tol` of the reference, and the mean absolute difference.
void compare(const engine::Tensor& got, const engine::Tensor& want, double tol, double* within, double* mean_abs) {
  ASSERT_EQ(got.shape(), want.shape());
  int64_t ok = 0;
  double sum = 0;
  for (int64_t i = 0; i < got.numel(); ++i) {
    double d = std::fabs(got.data<float>()[i] - want.data<float>()[i]);
    ok += d <= tol;
    sum += d;
  }
  *within = static_cast<double>(ok) / static_cast<double>(got.numel());
  *mean_abs = sum / static_cast<double>(got.numel());
}

TEST(ReferencePreprocess, MobileNetImagenetRecipeMatchesOpenCV) {
  std::string ref = shared_dir() + "/models/mobilenetv2-12-int8/reference_opencv/test_data_set_0/input_0.pb";
  std::string img = shared_dir() + "/datasets/imagenet-sample-500/images/n01440764_tench.JPEG";
  if (!std::filesystem::exists(ref) || !std::filesystem::exists(img)) GTEST_SKIP() << "no shared reference data";
  PreprocessSpec p;
  p.width = p.height = 224;
  p.resize = ResizeMode::kCenterCrop;
  p.shorter_side = 256;
  p.mean = {0.485, 0.456, 0.406};
  p.std = {0.229, 0.224, 0.225};
  auto got = preprocess_file(img, p);
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  auto want = engine::read_tensor_pb(ref);
  ASSERT_TRUE(want.is_ok()) << want.status().to_string();
  double within = 0, mean_abs = 0;
  // One 8-bit step is 1/255/std ~ 0.018 after normalisation.
  compare(got->tensor, *want, 0.02, &within, &mean_abs);
  EXPECT_GT(within, 0.999) << "mean abs diff " << mean_abs;
}

TEST(ReferencePreprocess, YoloxLetterboxMatchesOpenCV) {
  std::string ref = shared_dir() + "/models/yolox-nano/reference_opencv/test_data_set_0/input_0.pb";
  std::string img = shared_dir() + "/datasets/demo-images/bus.jpg";
  if (!std::filesystem::exists(ref) || !std::filesystem::exists(img)) GTEST_SKIP() << "no shared reference data";
  PreprocessSpec p;
  p.width = p.height = 416;
  p.resize = ResizeMode::kLetterbox;
  p.bgr = true;
  p.scale = 1;
  auto got = preprocess_file(img, p);
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  auto want = engine::read_tensor_pb(ref);
  ASSERT_TRUE(want.is_ok()) << want.status().to_string();
  double within = 0, mean_abs = 0;
  compare(got->tensor, *want, 1.0, &within, &mean_abs);
  EXPECT_GT(within, 0.999) << "mean abs diff " << mean_abs;
}

}  // namespace
}  // namespace fogline::processing
