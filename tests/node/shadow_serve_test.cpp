// Shadow mode on the real fogline-node process: production affine@1 (y = x + 1) answers, the
// shadow affine@2 (y = 1 - x) runs on copies of the same requests. Top-1 of x+1 is argmax x,
// of 1-x argmin x: they agree exactly on a constant row (both 0, ties to the lower index), so
// the expected agreement is computed by hand; responses carry production's outputs only.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/file_util.h"
#include "node_fixtures.h"

namespace fogline::node::testing {
namespace {

using json = nlohmann::json;

std::string infer_body(const json& rows) {
  return json{{"inputs", {{{"name", "x"}, {"shape", {rows.size(), 4}}, {"datatype", "FP32"}, {"data", rows}}}}}.dump();
}

// The value of one sample line of the exposition, or -1.
double sample(const std::string& text, const std::string& series) {
  size_t at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

class ShadowServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string production = write_affine_model(dir_.file("p.onnx"), 1);
    std::string shadow = write_affine_model(dir_.file("s.onnx"), -1);
    node_ = std::make_unique<NodeProcess>(
        std::vector<std::string>{"--model", "affine=" + production + ",version=1", "--shadow", "affine=" + shadow + ",version=2"});
    ASSERT_TRUE(node_->started()) << node_->error();
  }
  json shadow_state(int* status = nullptr) {
    auto r = node_->client()->Get("/admin/models/affine/shadow");
    if (status) *status = r ? r->status : 0;
    return r ? json::parse(r->body, nullptr, false) : json();
  }
  // The shadow runs off the request path: wait until it has looked at `n` requests.
  bool wait_compared(uint64_t n) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      json s = shadow_state();
      if (s.is_object() && s["metrics"].value("compared", uint64_t{0}) + s["metrics"].value("errors", uint64_t{0}) >= n)
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  TempDir dir_;
  std::unique_ptr<NodeProcess> node_;
};

TEST_F(ShadowServeTest, ResponsesComeFromProductionAndAgreementIsCounted) {
  auto c = node_->client();
  // Per request: 1, 1, 0 (top-1 3 vs 0), 0.5 (a batch of one disagreeing and one agreeing row).
  const json requests[] = {json{{5, 5, 5, 5}}, json{{2, 2, 2, 2}}, json{{1, 2, 3, 4}},
                           json{{1, 2, 3, 4}, {3, 3, 3, 3}}};
  for (const json& rows : requests) {
    auto r = c->Post("/v2/models/affine/infer", infer_body(rows), "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    json reply = json::parse(r->body);
    EXPECT_EQ(reply["model_version"], "1");
    // y = x + 1: production's answer, whatever the shadow computed.
    json y = reply["outputs"][0]["data"];
    size_t k = 0;
    for (const auto& row : rows)
      for (const auto& x : row) EXPECT_FLOAT_EQ(y[k++].get<float>(), x.get<float>() + 1);
  }
  // /predict feeds the shadow too (numbers, no spec: raw outputs): an agreeing row.
  auto p = c->Post("/predict?model=affine", R"({"instances": [[7, 7, 7, 7]]})", "application/json");
  ASSERT_TRUE(p);
  ASSERT_EQ(p->status, 200) << p->body;
  EXPECT_EQ(json::parse(p->body)["model_version"], "1");
  // The shadow is not a served version: it answers nothing itself.
  auto pinned = c->Post("/v2/models/affine/versions/2/infer", infer_body(json{{1, 2, 3, 4}}), "application/json");
  ASSERT_TRUE(pinned);
  EXPECT_EQ(pinned->status, 404);

  ASSERT_TRUE(wait_compared(5)) << shadow_state().dump();
  json s = shadow_state();
  EXPECT_EQ(s["version"], "2");
  const json& m = s["metrics"];
  EXPECT_EQ(m["compared"], 5);
  EXPECT_EQ(m["agreed"], 3);
  EXPECT_EQ(m["errors"], 0);
  EXPECT_EQ(m["skipped"], 0);
  EXPECT_DOUBLE_EQ(m["agreement"].get<double>(), (1 + 1 + 0 + 0.5 + 1) / 5.0);

  auto metrics = c->Get("/metrics");
  ASSERT_TRUE(metrics);
  const std::string labels = "{model=\"affine\",version=\"2\"}";
  EXPECT_DOUBLE_EQ(sample(metrics->body, "fogline_node_shadow_agreement" + labels), 0.7) << metrics->body;
  EXPECT_EQ(sample(metrics->body, "fogline_node_shadow_compared_total" + labels), 5);
  EXPECT_EQ(sample(metrics->body, "fogline_node_shadow_agreed_total" + labels), 3);
  EXPECT_EQ(sample(metrics->body, "fogline_node_shadow_skipped_total" + labels), 0);
  EXPECT_EQ(sample(metrics->body, "fogline_node_shadow_duration_seconds_count" + labels), 5);
  // Production's own request counts are untouched by the shadow's runs (the pinned request
  // to version 2 named no served version: it counts under model "").
  EXPECT_EQ(sample(metrics->body, "fogline_node_requests_total{model=\"affine\",route=\"infer\"}"), 4);
  EXPECT_EQ(sample(metrics->body, "fogline_node_requests_total{model=\"affine\",route=\"predict\"}"), 1);

  // Removing the shadow: no more comparisons, production unchanged.
  auto removed = c->Post("/admin/models/affine/shadow/remove", "", "application/json");
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->status, 200) << removed->body;
  int status = 0;
  shadow_state(&status);
  EXPECT_EQ(status, 404);
  auto after = c->Post("/v2/models/affine/infer", infer_body(json{{1, 2, 3, 4}}), "application/json");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
  auto metrics2 = c->Get("/metrics");
  ASSERT_TRUE(metrics2);
  EXPECT_EQ(metrics2->body.find("fogline_node_shadow_compared_total{"), std::string::npos) << metrics2->body;
}

TEST_F(ShadowServeTest, AShadowIsLoadedThroughTheAdminRouteWithFreshCounters) {
  auto c = node_->client();
  ASSERT_EQ(c->Post("/v2/models/affine/infer", infer_body(json{{1, 2, 3, 4}}), "application/json")->status, 200);
  ASSERT_TRUE(wait_compared(1));
  EXPECT_EQ(shadow_state()["metrics"]["agreement"], 0.0);
  // The same version as production's answers: everything agrees.
  std::string same = write_affine_model(dir_.file("same.onnx"), 3);
  auto r = c->Post("/admin/models/affine/shadow", json{{"path", same}, {"version", "3"}}.dump(), "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body)["metrics"]["compared"], 0);
  ASSERT_EQ(c->Post("/v2/models/affine/infer", infer_body(json{{1, 2, 3, 4}}), "application/json")->status, 200);
  ASSERT_TRUE(wait_compared(1));
  json s = shadow_state();
  EXPECT_EQ(s["version"], "3");
  EXPECT_EQ(s["metrics"]["agreement"], 1.0);
  // A model that is not served cannot be shadowed; a bad file changes nothing.
  auto none = c->Post("/admin/models/other/shadow", json{{"path", same}}.dump(), "application/json");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 404);
  auto bad = c->Post("/admin/models/affine/shadow", json{{"path", dir_.file("missing.onnx")}}.dump(), "application/json");
  ASSERT_TRUE(bad);
  EXPECT_NE(bad->status, 200);
  EXPECT_EQ(shadow_state()["version"], "3");
}

// Detectors through /predict: each version decodes with its own spec. The shadow reads the
// same boxes as cx,cy,w,h instead of x,y,w,h, so on a red 16x16 image production finds box 0
// at (2,2,8,8) and the shadow at (0,0,6,6) once clipped: IoU 16/84, no match (agreement 0). On
// a black image neither finds anything (agreement 1). Mean: 0.5.
TEST(ShadowServeDetector, BoxesAreMatchedOnTheOriginalImage) {
  TempDir dir;
  std::string model = write_box_model(dir.file("boxes.onnx"));
  std::string spec = write_spec(dir.file("det.json"), true);
  auto text = read_file(spec);
  ASSERT_TRUE(text.is_ok());
  json shifted = json::parse(*text);
  shifted["postprocess"]["box_format"] = "cxcywh";
  ASSERT_TRUE(write_file_atomic(dir.file("shifted.json"), shifted.dump()).is_ok());
  NodeProcess node({"--model", "boxes=" + model + ",spec=" + spec, "--shadow",
                    "boxes=" + model + ",spec=" + dir.file("shifted.json") + ",version=2"});
  ASSERT_TRUE(node.started()) << node.error();
  auto c = node.client();
  auto red = c->Post("/predict?model=boxes", encode_solid_image(16, 16, 0, 0, 255, ".png"), "image/png");
  ASSERT_TRUE(red);
  ASSERT_EQ(red->status, 200) << red->body;
  json box = json::parse(red->body)["predictions"][0]["detections"][0]["box"];
  EXPECT_NEAR(box["x"].get<double>(), 2, 1e-3) << "production's decoding answers";
  EXPECT_NEAR(box["width"].get<double>(), 8, 1e-3);
  auto black = c->Post("/predict?model=boxes", encode_solid_image(16, 16, 0, 0, 0, ".png"), "image/png");
  ASSERT_TRUE(black);
  ASSERT_EQ(black->status, 200) << black->body;
  EXPECT_TRUE(json::parse(black->body)["predictions"][0]["detections"].empty());

  json s;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = c->Get("/admin/models/boxes/shadow");
    ASSERT_TRUE(r);
    s = json::parse(r->body);
    if (s["metrics"].value("compared", 0) + s["metrics"].value("errors", 0) >= 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(s["metrics"]["compared"], 2) << s.dump();
  EXPECT_EQ(s["metrics"]["agreed"], 1);
  EXPECT_DOUBLE_EQ(s["metrics"]["agreement"].get<double>(), 0.5);
}

}  // namespace
}  // namespace fogline::node::testing
