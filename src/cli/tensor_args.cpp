#include "cli/tensor_args.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "engine/tensor_io.h"

namespace fogline::cli {

using engine::DataType;
using engine::Tensor;

Result<std::pair<std::string, std::string>> split_assignment(const std::string& arg) {
  auto eq = arg.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == arg.size()) {
    return invalid_argument("'" + arg + "' is not NAME=VALUE");
  }
  return std::make_pair(arg.substr(0, eq), arg.substr(eq + 1));
}

Result<engine::Shape> parse_dims(const std::string& text) {
  engine::Shape dims;
  size_t start = 0;
  while (start <= text.size()) {
    size_t x = text.find('x', start);
    std::string part = text.substr(start, x == std::string::npos ? std::string::npos : x - start);
    if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos) {
      return invalid_argument("'" + text + "' is not a shape like 1x3x224x224");
    }
    dims.push_back(std::stoll(part));
    if (x == std::string::npos) break;
    start = x + 1;
  }
  return dims;
}

namespace {

Result<Tensor> load_image(const std::string& path, const ImageOptions& opt) {
  cv::Mat img = cv::imread(path, cv::IMREAD_COLOR);
  if (img.empty()) return invalid_argument("'" + path + "' is not an image OpenCV can decode");
  if (!opt.bgr) cv::cvtColor(img, img, cv::COLOR_BGR2RGB);
  if (opt.size.size() == 2) {
    cv::resize(img, img, cv::Size(opt.size[1], opt.size[0]), 0, 0, cv::INTER_LINEAR);
  } else if (!opt.size.empty()) {
    return invalid_argument("--size takes HEIGHT,WIDTH");
  }
  if (opt.mean.size() != 3 || opt.std.size() != 3) return invalid_argument("--mean and --std take 3 values");
  const int h = img.rows, w = img.cols;
  bool nchw = opt.layout == "NCHW";
  if (!nchw && opt.layout != "NHWC") return invalid_argument("--layout must be NCHW or NHWC");
  engine::Shape shape = nchw ? engine::Shape{1, 3, h, w} : engine::Shape{1, h, w, 3};
  FOGLINE_ASSIGN_OR_RETURN(Tensor t, Tensor::allocate(DataType::kFloat, shape));
  float* out = t.data<float>();
  for (int y = 0; y < h; ++y) {
    const auto* row = img.ptr<cv::Vec3b>(y);
    for (int x = 0; x < w; ++x) {
      for (int c = 0; c < 3; ++c) {
        float v = (row[x][c] * opt.scale - opt.mean[c]) / opt.std[c];
        size_t idx = nchw ? (static_cast<size_t>(c) * h + y) * w + x : (static_cast<size_t>(y) * w + x) * 3 + c;
        out[idx] = v;
      }
    }
  }
  return t;
}

}  // namespace

Result<Tensor> load_tensor_file(const std::string& path, const ImageOptions& image) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (auto& c : ext) c = static_cast<char>(std::tolower(c));
  if (ext == ".pb") return engine::read_tensor_pb(path);
  if (ext == ".npy") return engine::read_npy(path);
  return load_image(path, image);
}

std::string npy_file_name(const std::string& output_name) {
  std::string s = output_name;
  for (char& c : s) {
    bool keep = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
    if (!keep) c = '_';
  }
  return s + ".npy";
}

double PeerRandom::next() {
  // JavaScript multiplies in doubles (rounding past 2^53) and then truncates to int32;
  // doing the same keeps our inputs bit-identical to the peer's.
  double product = static_cast<double>(seed_) * 1103515245.0 + 12345.0;
  double wrapped = std::fmod(product, 4294967296.0);
  seed_ = static_cast<int64_t>(static_cast<uint32_t>(wrapped)) & 0x7fffffff;
  return static_cast<double>(seed_) / 0x7fffffff;
}

Result<Tensor> PeerRandom::make(DataType dtype, const engine::Shape& shape) {
  FOGLINE_ASSIGN_OR_RETURN(Tensor t, Tensor::allocate(dtype, shape));
  for (int64_t i = 0; i < t.numel(); ++i) {
    double r = next();
    switch (dtype) {
      case DataType::kFloat: t.data<float>()[i] = static_cast<float>(r); break;
      case DataType::kDouble: t.data<double>()[i] = r; break;
      case DataType::kInt64: t.data<int64_t>()[i] = static_cast<int64_t>(r * 10); break;
      case DataType::kInt32: t.data<int32_t>()[i] = static_cast<int32_t>(r * 10); break;
      case DataType::kUInt8: t.data<uint8_t>()[i] = static_cast<uint8_t>(r * 10); break;
      case DataType::kInt8: t.data<int8_t>()[i] = static_cast<int8_t>(r * 10); break;
      case DataType::kBool: t.data<bool>()[i] = static_cast<int>(r * 10) != 0; break;
      default:
        return unsupported(std::string("cannot make random ") + engine::dtype_name(dtype) + " inputs");
    }
  }
  return t;
}

std::string describe_tensor(const std::string& name, const Tensor& t, int count) {
  std::string s = name + " " + engine::dtype_name(t.dtype()) + engine::shape_to_string(t.shape()) + " = [";
  int64_t n = std::min<int64_t>(count, t.numel());
  for (int64_t i = 0; i < n; ++i) {
    if (i) s += ", ";
    char buf[64];
    if (t.dtype() == DataType::kString) {
      s += "\"" + t.data<std::string>()[i] + "\"";
      continue;
    }
    if (engine::dtype_is_float(t.dtype())) {
      std::snprintf(buf, sizeof(buf), "%.6g", t.value_as_double(i));
    } else {
      std::snprintf(buf, sizeof(buf), "%lld", static_cast<long long>(t.value_as_int(i)));
    }
    s += buf;
  }
  if (t.numel() > n) s += ", ...";
  return s + "]";
}

}  // namespace fogline::cli
