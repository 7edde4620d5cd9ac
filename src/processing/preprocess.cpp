#include "processing/preprocess.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>

namespace fogline::processing {

namespace {

int interpolation_flag(const std::string& name) {
  if (name == "nearest") return cv::INTER_NEAREST;
  if (name == "cubic") return cv::INTER_CUBIC;
  if (name == "area") return cv::INTER_AREA;
  return cv::INTER_LINEAR;
}

}  // namespace

Result<PreprocessedImage> preprocess_image(const cv::Mat& input, const PreprocessSpec& spec) {
  FOGLINE_TRY(spec.validate());
  if (spec.width <= 0 || spec.height <= 0) return invalid_argument("preprocess: the input size is not set");
  if (input.empty() || input.type() != CV_8UC3) return invalid_argument("preprocess: expected a 3-channel 8-bit image");
  const int W = spec.width, H = spec.height, w = input.cols, h = input.rows;
  const int interp = interpolation_flag(spec.interpolation);
  PreprocessedImage out;
  ImageTransform& tf = out.transform;
  tf.original_width = w, tf.original_height = h, tf.input_width = W, tf.input_height = H;
  cv::Mat img;
  switch (spec.resize) {
    case ResizeMode::kStretch: {
      cv::resize(input, img, cv::Size(W, H), 0, 0, interp);
      tf.scale_x = static_cast<double>(W) / w, tf.scale_y = static_cast<double>(H) / h;
      break;
    }
    case ResizeMode::kLetterbox: {
      // r = min(H/h, W/w); the resized image is pasted top-left (YOLOX) or centred (YOLOv5/v8).
      double r = std::min(static_cast<double>(H) / h, static_cast<double>(W) / w);
      int nw = std::max(1, static_cast<int>(w * r)), nh = std::max(1, static_cast<int>(h * r));
      cv::Mat resized;
      cv::resize(input, resized, cv::Size(nw, nh), 0, 0, interp);
      int left = 0, top = 0;
      if (spec.center_pad) {
        left = static_cast<int>(std::lround((W - nw) / 2.0 - 0.1));
        top = static_cast<int>(std::lround((H - nh) / 2.0 - 0.1));
      }
      img = cv::Mat(H, W, CV_8UC3, cv::Scalar::all(spec.fill));
      resized.copyTo(img(cv::Rect(left, top, nw, nh)));
      tf.scale_x = tf.scale_y = r;
      tf.offset_x = left, tf.offset_y = top;
      break;
    }
    case ResizeMode::kCenterCrop: {
      // Shorter side to S (the longer one truncated, as torchvision's Resize does), then the
      // centre H x W.
      int S = spec.shorter_side > 0 ? spec.shorter_side : static_cast<int>(std::lround(std::min(W, H) * 256.0 / 224.0));
      int nw, nh;
      if (w <= h) {
        nw = S, nh = static_cast<int>(static_cast<long long>(S) * h / w);
      } else {
        nh = S, nw = static_cast<int>(static_cast<long long>(S) * w / h);
      }
      if (nw < W || nh < H) return invalid_argument("preprocess: shorter_side " + std::to_string(S) + " is smaller than the crop");
      cv::Mat resized;
      cv::resize(input, resized, cv::Size(nw, nh), 0, 0, interp);
      // Offsets rounded down, as the OpenCV reference pipeline in ../shared does (and as
      // torchvision's banker's rounding does for the common even sizes).
      int left = (nw - W) / 2, top = (nh - H) / 2;
      img = resized(cv::Rect(left, top, W, H));
      tf.scale_x = static_cast<double>(nw) / w, tf.scale_y = static_cast<double>(nh) / h;
      tf.offset_x = -left, tf.offset_y = -top;
      break;
    }
  }
  const bool nchw = spec.layout == "NCHW";
  engine::Shape shape = nchw ? engine::Shape{1, 3, H, W} : engine::Shape{1, H, W, 3};
  const bool raw = spec.dtype == "uint8";
  FOGLINE_ASSIGN_OR_RETURN(out.tensor, engine::Tensor::allocate(raw ? engine::DataType::kUInt8 : engine::DataType::kFloat, shape));
  // OpenCV holds BGR; channel c of the model's input reads source channel src[c].
  const int src[3] = {spec.bgr ? 0 : 2, 1, spec.bgr ? 2 : 0};
  float mul[3], add[3];
  for (int c = 0; c < 3; ++c) {
    mul[c] = static_cast<float>(spec.scale / spec.std[static_cast<size_t>(c)]);
    add[c] = static_cast<float>(-spec.mean[static_cast<size_t>(c)] / spec.std[static_cast<size_t>(c)]);
  }
  const size_t plane = static_cast<size_t>(H) * W;
  for (int y = 0; y < H; ++y) {
    const auto* row = img.ptr<cv::Vec3b>(y);
    for (int x = 0; x < W; ++x) {
      for (int c = 0; c < 3; ++c) {
        size_t idx = nchw ? c * plane + static_cast<size_t>(y) * W + x : (static_cast<size_t>(y) * W + x) * 3 + c;
        uint8_t v = row[x][src[c]];
        if (raw) {
          out.tensor.data<uint8_t>()[idx] = v;
        } else {
          out.tensor.data<float>()[idx] = v * mul[c] + add[c];
        }
      }
    }
  }
  return out;
}

Result<PreprocessedImage> preprocess_file(const std::string& path, const PreprocessSpec& spec) {
  cv::Mat img = cv::imread(path, cv::IMREAD_COLOR);
  if (img.empty()) return invalid_argument(path + ": not an image OpenCV can decode");
  auto r = preprocess_image(img, spec);
  if (!r.is_ok()) return r.status().with_context(path);
  return r;
}

}  // namespace fogline::processing
