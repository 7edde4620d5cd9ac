// fogline-node serve as a real process on loopback, exercised through every route with a real
// HTTP client: Open Inference Protocol v2, /predict, /openapi.json, /metrics, API keys.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <cstring>
#include <regex>

#include "node_fixtures.h"

namespace fogline::node::testing {
namespace {

using nlohmann::json;

class ServeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    const std::string affine = write_affine_model(dir_->file("affine.onnx"), 2.0f);
    const std::string half = write_half_model(dir_->file("half.onnx"));
    const std::string colors = write_channel_mean_model(dir_->file("colors.onnx"));
    const std::string boxes = write_box_model(dir_->file("boxes.onnx"));
    const std::string spec = write_spec(dir_->file("colors.json"), false);
    const std::string box_spec = write_spec(dir_->file("boxes.json"), true);
    ASSERT_FALSE(affine.empty() || half.empty() || colors.empty() || boxes.empty() || spec.empty() || box_spec.empty());
    node_ = new NodeProcess({"--model", "affine=" + affine + ",version=7", "--model", "half=" + half, "--model",
                             "colors=" + colors + ",spec=" + spec, "--model", "boxes=" + boxes + ",spec=" + box_spec});
  }
  static void TearDownTestSuite() {
    delete node_;
    delete dir_;
  }
  void SetUp() override { ASSERT_TRUE(node_->started()) << node_->error(); }

  static json post_json(const std::string& path, const std::string& body, int expect_status) {
    auto c = node_->client();
    auto res = c->Post(path, body, "application/json");
    EXPECT_TRUE(res) << path;
    if (!res) return json();
    EXPECT_EQ(res->status, expect_status) << path << ": " << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
    return json::parse(res->body, nullptr, false);
  }
  static json get_json(const std::string& path, int expect_status) {
    auto res = node_->client()->Get(path);
    EXPECT_TRUE(res) << path;
    if (!res) return json();
    EXPECT_EQ(res->status, expect_status) << path << ": " << res->body;
    return json::parse(res->body, nullptr, false);
  }
  static std::string error_of(const json& j) { return j.is_object() ? j.value("error", std::string()) : std::string(); }

  static TempDir* dir_;
  static NodeProcess* node_;
};
TempDir* ServeTest::dir_ = nullptr;
NodeProcess* ServeTest::node_ = nullptr;

TEST_F(ServeTest, HealthAndServerMetadata) {
  EXPECT_EQ(node_->client()->Get("/v2/health/live")->status, 200);
  EXPECT_EQ(node_->client()->Get("/v2/health/ready")->status, 200);
  json meta = get_json("/v2", 200);
  EXPECT_EQ(meta["name"], "fogline-node");
  EXPECT_TRUE(meta["version"].is_string());
  EXPECT_TRUE(meta["extensions"].is_array());
}

TEST_F(ServeTest, ModelMetadataAndReadiness) {
  json m = get_json("/v2/models/affine", 200);
  EXPECT_EQ(m["name"], "affine");
  EXPECT_EQ(m["versions"], json({"7"}));
  EXPECT_EQ(m["platform"], "fogline_onnx");
  ASSERT_EQ(m["inputs"].size(), 1u);
  EXPECT_EQ(m["inputs"][0], json({{"name", "x"}, {"datatype", "FP32"}, {"shape", {-1, 4}}}));
  ASSERT_EQ(m["outputs"].size(), 2u);
  EXPECT_EQ(m["outputs"][0]["name"], "y");
  EXPECT_EQ(get_json("/v2/models/affine/versions/7", 200)["name"], "affine");
  EXPECT_EQ(node_->client()->Get("/v2/models/affine/ready")->status, 200);
  EXPECT_EQ(node_->client()->Get("/v2/models/affine/versions/7/ready")->status, 200);
  json missing_version = get_json("/v2/models/affine/versions/3", 404);
  EXPECT_EQ(error_of(missing_version), "model 'affine' has no version '3' loaded; loaded: 7");
  json unknown = get_json("/v2/models/nope", 404);
  EXPECT_EQ(error_of(unknown), "unknown model 'nope'; this node serves: affine, boxes, colors, half");
  EXPECT_EQ(node_->client()->Get("/v2/models/nope/ready")->status, 404);
}

TEST_F(ServeTest, InferFlatAndNestedDataGiveTheSameAnswer) {
  json flat = post_json("/v2/models/affine/infer",
                        R"({"id": "req-1", "inputs": [{"name": "x", "shape": [2, 4], "datatype": "FP32",
                            "data": [1, 2, 3, 4, -1, -2, -3, -4]}]})",
                        200);
  EXPECT_EQ(flat["model_name"], "affine");
  EXPECT_EQ(flat["model_version"], "7");
  EXPECT_EQ(flat["id"], "req-1");
  ASSERT_EQ(flat["outputs"].size(), 2u);
  EXPECT_EQ(flat["outputs"][0]["name"], "y");
  EXPECT_EQ(flat["outputs"][0]["datatype"], "FP32");
  EXPECT_EQ(flat["outputs"][0]["shape"], json({2, 4}));
  EXPECT_EQ(flat["outputs"][0]["data"], json({3, 5, 7, 9, -1, -3, -5, -7}));
  EXPECT_EQ(flat["outputs"][1]["data"], json({1, 2, 3, 4, 0, 0, 0, 0}));
  json nested = post_json("/v2/models/affine/versions/7/infer",
                          R"({"inputs": [{"name": "x", "shape": [2, 4], "datatype": "FP32",
                              "data": [[1, 2, 3, 4], [-1, -2, -3, -4]]}]})",
                          200);
  EXPECT_EQ(nested["outputs"], flat["outputs"]);
  EXPECT_FALSE(nested.contains("id"));
}

TEST_F(ServeTest, OutputSelectionReturnsOnlyTheNamedOutputs) {
  json r = post_json("/v2/models/affine/infer",
                     R"({"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP32", "data": [1, -1, 2, -2]}],
                         "parameters": {"binary_data_output": false}, "outputs": [{"name": "r"}]})",
                     200);
  ASSERT_EQ(r["outputs"].size(), 1u);
  EXPECT_EQ(r["outputs"][0]["name"], "r");
  EXPECT_EQ(r["outputs"][0]["data"], json({1, 0, 2, 0}));
  json bad = post_json("/v2/models/affine/infer",
                       R"({"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP32", "data": [1, 1, 1, 1]}],
                           "outputs": [{"name": "z"}]})",
                       400);
  EXPECT_EQ(error_of(bad), "unknown output 'z'; model affine gives: y, r");
}

TEST_F(ServeTest, Fp16InAndOut) {
  json r = post_json("/v2/models/half/infer",
                     R"({"inputs": [{"name": "h", "shape": [2, 2], "datatype": "FP16", "data": [0.5, 1.5, -2, 3.25]}]})", 200);
  ASSERT_EQ(r["outputs"].size(), 2u);
  EXPECT_EQ(r["outputs"][0]["datatype"], "FP32");
  EXPECT_EQ(r["outputs"][0]["data"], json({1.0, 3.0, -4.0, 6.5}));
  EXPECT_EQ(r["outputs"][1]["name"], "doubled16");
  EXPECT_EQ(r["outputs"][1]["datatype"], "FP16");
  EXPECT_EQ(r["outputs"][1]["data"], json({1.0, 3.0, -4.0, 6.5}));
}

TEST_F(ServeTest, BadRequestsAreRefusedWithTheReason) {
  struct Case {
    const char* body;
    const char* error;  // a part of the message
  };
  const Case cases[] = {
      {R"({"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]})", "malformed JSON at byte"},
      {R"({"inputs": [{"name": "q", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]}]})",
       "unknown input 'q'; model affine takes: x FP32[-1,4]"},
      {R"({"inputs": [{"name": "x", "shape": [1, 5], "datatype": "FP32", "data": [1, 2, 3, 4, 5]}]})",
       "input 'x': shape [1,5] does not match the model's FP32[-1,4]"},
      {R"({"inputs": [{"name": "x", "shape": [4], "datatype": "FP32", "data": [1, 2, 3, 4]}]})",
       "input 'x': shape [4] does not match the model's FP32[-1,4]"},
      {R"({"inputs": [{"name": "x", "shape": [1, 4], "datatype": "INT32", "data": [1, 2, 3, 4]}]})",
       "input 'x': datatype INT32 does not match the model's FP32[-1,4]"},
      {R"({"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3]}]})",
       "input 'x': data has 3 elements, shape [1,4] needs 4"},
      {R"({"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, "3", 4]}]})",
       "input 'x' data[2] = \"3\" is not a number"},
      {R"({"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP8", "data": [1, 2, 3, 4]}]})",
       "\"FP8\" is not an Open Inference Protocol datatype"},
      {R"({"inputs": []})", "missing input 'x' FP32[-1,4]"},
      {R"({"input": []})", "unknown field \"input\""},
      {R"([1, 2])", "must be a JSON object"},
  };
  for (const auto& c : cases) {
    json r = post_json("/v2/models/affine/infer", c.body, 400);
    EXPECT_NE(error_of(r).find(c.error), std::string::npos) << "body " << c.body << "\ngot " << r.dump();
  }
  json unknown = post_json("/v2/models/nope/infer", R"({"inputs": []})", 404);
  EXPECT_NE(error_of(unknown).find("unknown model 'nope'"), std::string::npos);
  auto res = node_->client()->Get("/no/such/route");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(json::parse(res->body)["error"], "no route GET /no/such/route");
}

TEST_F(ServeTest, PredictLabelsAJpegEncodedByOpenCv) {
  auto c = node_->client();
  const std::string red = encode_solid_image(20, 12, 0, 0, 255, ".jpg");  // BGR: pure red
  auto res = c->Post("/predict?model=colors&top_k=2", red, "image/jpeg");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json r = json::parse(res->body);
  EXPECT_EQ(r["model_name"], "colors");
  ASSERT_EQ(r["predictions"].size(), 1u);
  const json& classes = r["predictions"][0]["classes"];
  ASSERT_EQ(classes.size(), 2u);
  EXPECT_EQ(classes[0]["label"], "red");
  EXPECT_EQ(classes[0]["index"], 0);
  EXPECT_GT(classes[0]["score"].get<double>(), 0.95);
  EXPECT_LT(classes[1]["score"].get<double>(), 0.05);

  // The same through /v1/models/{m}/predict as a multipart form, with a PNG.
  const std::string blue = encode_solid_image(9, 9, 255, 0, 0, ".png");
  httplib::MultipartFormDataItems form{{"image", blue, "blue.png", "image/png"}};
  auto mres = c->Post("/v1/models/colors/predict", form);
  ASSERT_TRUE(mres);
  ASSERT_EQ(mres->status, 200) << mres->body;
  EXPECT_EQ(json::parse(mres->body)["predictions"][0]["classes"][0]["label"], "blue");

  // JSON: numbers for the single input (NCHW, batch dimension left out).
  json chw = json::array();
  for (int ch = 0; ch < 3; ++ch) chw.push_back(std::vector<std::vector<double>>(8, std::vector<double>(8, ch == 1 ? 0.9 : 0.1)));
  json body = json::object();
  body["instances"] = json::array();
  body["instances"].push_back(chw);
  json jr = post_json("/predict?model=colors", body.dump(), 200);
  EXPECT_EQ(jr["predictions"][0]["classes"][0]["label"], "green");

  // Not an image, and a model with no spec.
  json bad = post_json("/predict?model=colors", R"({"image": "bm90IGFuIGltYWdl"})", 400);
  EXPECT_NE(error_of(bad).find("not an image OpenCV can decode"), std::string::npos) << bad.dump();
  auto nospec = c->Post("/predict?model=affine", red, "image/jpeg");
  ASSERT_TRUE(nospec);
  EXPECT_EQ(nospec->status, 400);
  EXPECT_NE(json::parse(nospec->body)["error"].get<std::string>().find("has no processing spec"), std::string::npos);
  auto which = c->Post("/predict", red, "image/jpeg");
  ASSERT_TRUE(which);
  EXPECT_EQ(which->status, 400);
  EXPECT_NE(json::parse(which->body)["error"].get<std::string>().find("name one with ?model=NAME"), std::string::npos);
}

TEST_F(ServeTest, PredictBoxesMappedToTheOriginalImage) {
  // A red 16x16 image is stretched to 8x8: the model's box 0 (score 1) at half scale.
  const std::string red = encode_solid_image(16, 16, 0, 0, 255, ".png");
  auto res = node_->client()->Post("/predict?model=boxes", red, "image/png");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json dets = json::parse(res->body)["predictions"][0]["detections"];
  ASSERT_EQ(dets.size(), 1u) << dets.dump();
  EXPECT_EQ(dets[0]["label"], "red");
  EXPECT_NEAR(dets[0]["score"].get<double>(), 1.0, 1e-5);
  EXPECT_NEAR(dets[0]["box"]["x"].get<double>(), kBoxes[0][0] * 2, 1e-3);
  EXPECT_NEAR(dets[0]["box"]["y"].get<double>(), kBoxes[0][1] * 2, 1e-3);
  EXPECT_NEAR(dets[0]["box"]["width"].get<double>(), kBoxes[0][2] * 2, 1e-3);
  EXPECT_NEAR(dets[0]["box"]["height"].get<double>(), kBoxes[0][3] * 2, 1e-3);
}

TEST_F(ServeTest, OpenApiDescribesTheServedModels) {
  json doc = get_json("/openapi.json", 200);
  EXPECT_EQ(doc["openapi"], "3.0.3");
  ASSERT_TRUE(doc["paths"].contains("/v2/models/affine/infer"));
  ASSERT_TRUE(doc["paths"].contains("/v1/models/colors/predict"));
  const json& in = doc["components"]["schemas"]["affine_InferenceRequest"]["properties"]["inputs"]["items"]["oneOf"][0];
  EXPECT_EQ(in["properties"]["name"]["enum"], json({"x"}));
  EXPECT_EQ(in["properties"]["datatype"]["enum"], json({"FP32"}));
  EXPECT_EQ(in["properties"]["shape"]["example"], json({-1, 4}));
  const json& half = doc["components"]["schemas"]["half_InferenceRequest"]["properties"]["inputs"]["items"]["oneOf"][0];
  EXPECT_EQ(half["properties"]["datatype"]["enum"], json({"FP16"}));
  EXPECT_FALSE(doc.contains("security"));
}

// The value of one sample line of the exposition, or -1.
double sample(const std::string& text, const std::string& series) {
  size_t at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

TEST_F(ServeTest, MetricsCountRequestsErrorsAndLatency) {
  auto c = node_->client();
  auto before = c->Get("/metrics");
  ASSERT_TRUE(before);
  const std::string ok_series = "fogline_node_requests_total{model=\"half\",route=\"infer\"}";
  const std::string err_series = "fogline_node_request_errors_total{model=\"half\",route=\"infer\",code=\"400\"}";
  double ok0 = std::max(0.0, sample(before->body, ok_series)), err0 = std::max(0.0, sample(before->body, err_series));
  const std::string good = R"({"inputs": [{"name": "h", "shape": [2, 2], "datatype": "FP16", "data": [1, 2, 3, 4]}]})";
  for (int i = 0; i < 3; ++i) post_json("/v2/models/half/infer", good, 200);
  post_json("/v2/models/half/infer", R"({"inputs": [{"name": "h", "shape": [2, 2], "datatype": "FP32", "data": [1, 2, 3, 4]}]})", 400);
  auto after = c->Get("/metrics");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
  EXPECT_EQ(after->get_header_value("Content-Type").rfind("text/plain; version=0.0.4", 0), 0u);
  const std::string& m = after->body;
  EXPECT_EQ(sample(m, ok_series), ok0 + 4);
  EXPECT_EQ(sample(m, err_series), err0 + 1);
  EXPECT_EQ(sample(m, "fogline_node_request_duration_seconds_count{model=\"half\",route=\"infer\"}"), ok0 + 4);
  EXPECT_EQ(sample(m, "fogline_node_request_duration_seconds_bucket{model=\"half\",route=\"infer\",le=\"+Inf\"}"), ok0 + 4);
  EXPECT_EQ(sample(m, "fogline_node_requests_in_flight"), 0);
  EXPECT_GT(sample(m, "fogline_node_model_load_seconds{model=\"affine\",version=\"7\"}"), 0);
  EXPECT_GT(sample(m, "process_resident_memory_bytes"), 1e6);
  EXPECT_GE(sample(m, "process_cpu_seconds_total"), 0);
  EXPECT_NE(m.find("# TYPE fogline_node_request_duration_seconds histogram"), std::string::npos);
}

TEST(NodeApiKeys, RefusedWithoutTheKeyHealthStaysOpen) {
  TempDir dir;
  const std::string model = write_affine_model(dir.file("m.onnx"), 2.0f);
  NodeProcess node({"--model", "m=" + model, "--api-key", "s3cret"});
  ASSERT_TRUE(node.started()) << node.error();
  auto c = node.client();
  const std::string body = R"({"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP32", "data": [0, 0, 0, 0]}]})";
  auto no_key = c->Post("/v2/models/m/infer", body, "application/json");
  ASSERT_TRUE(no_key);
  EXPECT_EQ(no_key->status, 401);
  EXPECT_NE(json::parse(no_key->body)["error"].get<std::string>().find("API key is required"), std::string::npos);
  auto wrong = c->Post("/v2/models/m/infer", {{"Authorization", "Bearer s3creT"}}, body, "application/json");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(c->Get("/metrics")->status, 401);
  EXPECT_EQ(c->Get("/v2/health/live")->status, 200);
  EXPECT_EQ(c->Get("/v2/health/ready")->status, 200);
  auto bearer = c->Post("/v2/models/m/infer", {{"Authorization", "Bearer s3cret"}}, body, "application/json");
  ASSERT_TRUE(bearer);
  EXPECT_EQ(bearer->status, 200);
  auto header = c->Get("/v2/models/m", {{"X-API-Key", "s3cret"}});
  ASSERT_TRUE(header);
  EXPECT_EQ(header->status, 200);
  auto doc = c->Get("/openapi.json", {{"X-API-Key", "s3cret"}});
  ASSERT_TRUE(doc);
  EXPECT_TRUE(json::parse(doc->body).contains("security"));
}

TEST(NodeStartup, ABadModelArgumentFailsWithTheReason) {
  TempDir dir;
  NodeProcess node({"--model", "m=" + dir.file("missing.onnx")});
  EXPECT_FALSE(node.started());
}

}  // namespace
}  // namespace fogline::node::testing

namespace fogline::node::testing {
namespace {

// Triton's binary tensor data extension: the JSON header's length in
// Inference-Header-Content-Length, then the raw little-endian tensors.
TEST_F(ServeTest, BinaryTensorDataExtension) {
  const float x[4] = {1, -2, 3, -4};
  const std::string header =
      R"({"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP32", "parameters": {"binary_data_size": 16}}],
          "outputs": [{"name": "y", "parameters": {"binary_data": true}}, {"name": "r"}]})";
  std::string body = header + std::string(reinterpret_cast<const char*>(x), sizeof x);
  auto c = node_->client();
  httplib::Headers h{{"Inference-Header-Content-Length", std::to_string(header.size())}};
  auto res = c->Post("/v2/models/affine/infer", h, body, "application/octet-stream");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const size_t n = std::stoul(res->get_header_value("Inference-Header-Content-Length"));
  ASSERT_LE(n, res->body.size());
  json head = json::parse(res->body.substr(0, n));
  ASSERT_EQ(head["outputs"].size(), 2u);
  EXPECT_EQ(head["outputs"][0]["parameters"]["binary_data_size"], 16);
  EXPECT_FALSE(head["outputs"][0].contains("data"));
  EXPECT_EQ(head["outputs"][1]["data"], json({1, 0, 3, 0}));
  ASSERT_EQ(res->body.size(), n + 16);
  float y[4];
  std::memcpy(y, res->body.data() + n, 16);
  EXPECT_EQ(y[0], 3.0f);
  EXPECT_EQ(y[3], -7.0f);

  // A size that disagrees with the shape is named.
  std::string short_header = R"({"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP32", "parameters": {"binary_data_size": 12}}]})";
  auto bad = c->Post("/v2/models/affine/infer", {{"Inference-Header-Content-Length", std::to_string(short_header.size())}},
                     short_header + std::string(12, '\0'), "application/octet-stream");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(json::parse(bad->body)["error"], "input 'x': binary_data_size 12 does not match FP32 shape [1,4] (16 bytes)");
}

}  // namespace
}  // namespace fogline::node::testing

namespace fogline::node::testing {
namespace {

std::string base64(const std::string& bytes) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  if (i < bytes.size()) {
    uint32_t v = uint8_t(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= uint8_t(bytes[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// JSON bodies carry images as base64: {"image": ...} and KServe v1 {"instances": [{"b64": ...}]}.
TEST_F(ServeTest, PredictBase64ImagesInJson) {
  const std::string green = encode_solid_image(10, 10, 0, 255, 0, ".png");
  json one = post_json("/predict?model=colors&top_k=1", json{{"image", base64(green)}}.dump(), 200);
  ASSERT_EQ(one["predictions"][0]["classes"].size(), 1u);
  EXPECT_EQ(one["predictions"][0]["classes"][0]["label"], "green");
  const std::string red = encode_solid_image(7, 5, 0, 0, 255, ".jpg");
  json two = post_json("/v1/models/colors:predict",
                       json{{"instances", {{{"b64", base64(red)}}, {{"b64", base64(green)}}}}}.dump(), 200);
  ASSERT_EQ(two["predictions"].size(), 2u);
  EXPECT_EQ(two["predictions"][0]["classes"][0]["label"], "red");
  EXPECT_EQ(two["predictions"][1]["classes"][0]["label"], "green");
  json bad = post_json("/predict?model=colors", R"({"instances": [{"b64": "@@@"}]})", 400);
  EXPECT_NE(error_of(bad).find("instances[0]: base64: unexpected character at position 1"), std::string::npos) << bad.dump();
}

}  // namespace
}  // namespace fogline::node::testing
