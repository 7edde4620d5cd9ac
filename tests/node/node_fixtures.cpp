#include "node_fixtures.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <cstdlib>
#include <filesystem>

#include "core/file_util.h"
#include "engine/model_builder.h"
#include "processing/processing_spec.h"

namespace fogline::node::testing {

using engine::DataType;
using engine::Tensor;
using engine::testing::TestModel;
using engine::testing::set_attr;

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/fogline-node-test-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data())) path_ = buf.data();
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

namespace {

std::string save(const TestModel& m, const std::string& path) {
  Status st = write_file_atomic(path, m.bytes());
  return st.is_ok() ? path : std::string();
}

void symbolic_batch(TestModel& m) {
  m.proto().mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(0)->set_dim_param("batch");
}

}  // namespace

std::string write_affine_model(const std::string& path, float factor) {
  TestModel m;
  m.input("x", DataType::kFloat, {1, 4});
  symbolic_batch(m);
  m.initializer("factor", Tensor::from_vector<float>({1}, {factor}));
  m.initializer("one", Tensor::from_vector<float>({1}, {1.0f}));
  m.node("Mul", {"x", "factor"}, {"scaled"});
  m.node("Add", {"scaled", "one"}, {"y"});
  m.node("Relu", {"x"}, {"r"});
  m.output("y").output("r");
  return save(m, path);
}

std::string write_half_model(const std::string& path) {
  TestModel m;
  m.input("h", DataType::kFloat16, {2, 2});
  m.initializer("two", Tensor::from_vector<float>({1}, {2.0f}));
  set_attr(m.node("Cast", {"h"}, {"h32"}), "to", static_cast<int64_t>(DataType::kFloat));
  m.node("Mul", {"h32", "two"}, {"doubled"});
  set_attr(m.node("Cast", {"doubled"}, {"doubled16"}), "to", static_cast<int64_t>(DataType::kFloat16));
  m.output("doubled").output("doubled16");
  return save(m, path);
}

std::string write_channel_mean_model(const std::string& path) {
  TestModel m;
  m.input("image", DataType::kFloat, {1, 3, 8, 8});
  m.node("GlobalAveragePool", {"image"}, {"pooled"});
  m.node("Flatten", {"pooled"}, {"scores"});
  m.output("scores");
  return save(m, path);
}

std::string write_box_model(const std::string& path) {
  TestModel m;
  m.input("image", DataType::kFloat, {1, 3, 8, 8});
  std::vector<float> boxes;
  for (const auto& b : kBoxes) boxes.insert(boxes.end(), b, b + 4);
  m.initializer("anchors", Tensor::from_vector<float>({1, 3, 4}, boxes));
  m.initializer("shape3", Tensor::from_vector<int64_t>({3}, {1, 3, 1}));
  m.initializer("shape2", Tensor::from_vector<int64_t>({2}, {1, 3}));
  m.node("GlobalAveragePool", {"image"}, {"pooled"});
  m.node("Reshape", {"pooled", "shape3"}, {"per_box"});
  m.node("Mul", {"per_box", "anchors"}, {"boxes"});
  m.node("Reshape", {"pooled", "shape2"}, {"scores"});
  m.output("boxes").output("scores");
  return save(m, path);
}

std::string write_spec(const std::string& path, bool detection) {
  processing::ProcessingSpec s;
  s.pre.width = 8, s.pre.height = 8;
  s.pre.resize = processing::ResizeMode::kStretch;
  s.pre.scale = 1.0 / 255.0;
  s.post.labels = {"red", "green", "blue"};
  if (detection) {
    s.post.kind = processing::PostprocessKind::kBoxesScores;
    s.post.box_format = "xywh";
    s.post.score_threshold = 0.5;
    s.post.boxes_output = "boxes";
    s.post.scores_output = "scores";
  }
  Status st = write_file_atomic(path, s.to_json().dump(2));
  return st.is_ok() ? path : std::string();
}

std::string encode_solid_image(int w, int h, int b, int g, int r, const std::string& ext) {
  cv::Mat img(h, w, CV_8UC3, cv::Scalar(b, g, r));
  std::vector<uchar> buf;
  cv::imencode(ext, img, buf);
  return std::string(buf.begin(), buf.end());
}

std::string node_binary() { return std::string(FOGLINE_BINARY_DIR) + "/fogline-node"; }

std::string shared_dir() {
  const char* env = std::getenv("FOGLINE_SHARED");
  return env && *env ? env : std::string(FOGLINE_SOURCE_DIR) + "/../shared";
}

NodeProcess::NodeProcess(const std::vector<std::string>& args) {
  std::vector<std::string> argv{node_binary(), "serve", "--listen", "127.0.0.1:0"};
  argv.insert(argv.end(), args.begin(), args.end());
  // The first stdout line names the URL; loading may take a while under sanitizers (60 s).
  auto url = process_.start_and_read(argv, "fogline-node listening on ");
  size_t colon = url ? url->rfind(':') : std::string::npos;
  if (colon == std::string::npos) {
    error_ = url ? "fogline-node printed no port in '" + *url + "'" : process_.error();
    process_.stop();
    return;
  }
  port_ = std::atoi(url->c_str() + colon + 1);
}

std::unique_ptr<httplib::Client> NodeProcess::client() const {
  auto c = std::make_unique<httplib::Client>("127.0.0.1", port_);
  c->set_read_timeout(60, 0);
  return c;
}

}  // namespace fogline::node::testing
