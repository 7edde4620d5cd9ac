// Turning command-line arguments into tensors and tensors into readable lines.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "engine/tensor.h"

namespace fogline::cli {

struct ImageOptions {
  std::vector<int> size;          // {height, width}; empty: the image's own size
  std::vector<float> mean{0, 0, 0};
  std::vector<float> std{1, 1, 1};
  float scale = 1.0f / 255.0f;    // applied before mean/std
  bool bgr = false;
  std::string layout = "NCHW";
};

// Loads FILE as a tensor: `.pb` (TensorProto), `.npy`, or an image (jpg/png/bmp...).
Result<engine::Tensor> load_tensor_file(const std::string& path, const ImageOptions& image);

// Splits "NAME=FILE"; an error names the malformed argument.
Result<std::pair<std::string, std::string>> split_assignment(const std::string& arg);
// Parses "1x3x224x224".
Result<engine::Shape> parse_dims(const std::string& text);

// The file name ../shared/peers/ort/run --save-outputs uses for an output: NAME.npy with
// every character outside [A-Za-z0-9_.-] replaced by '_', so the two can be compared by name.
std::string npy_file_name(const std::string& output_name);

// Fills a tensor like the ORT peer does (same LCG and seed order), so both runtimes see the
// same random inputs: floats in [0,1), integers in [0,10).
class PeerRandom {
 public:
  Result<engine::Tensor> make(engine::DataType dtype, const engine::Shape& shape);

 private:
  double next();
  int64_t seed_ = 12345;
};

// "output float32[1,1000] = [0.1, 0.2, ...]" with the first `count` values.
std::string describe_tensor(const std::string& name, const engine::Tensor& t, int count = 8);

}  // namespace fogline::cli
