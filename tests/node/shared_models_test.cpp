// With ../shared present: the node serves a real model (MobileNetV2 int8, the imagenet preset)
// and its /predict top-1 on a dataset image is the class `fogline eval` predicted for it, so
// the node answers what evaluation measured.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/file_util.h"
#include "node_fixtures.h"

namespace fogline::node::testing {
namespace {

using nlohmann::json;

std::string run_and_capture(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

TEST(NodeSharedModels, MobilenetTop1MatchesFoglineEval) {
  const std::string shared = shared_dir();
  const std::string model = shared + "/models/mobilenetv2-12-int8/mobilenetv2-12-int8.onnx";
  const std::string dataset = shared + "/datasets/imagenet-sample-500";
  const std::string fogline = std::string(FOGLINE_BINARY_DIR) + "/fogline";
  if (!std::filesystem::exists(model) || !std::filesystem::exists(dataset)) {
    GTEST_SKIP() << "needs " << model << " and " << dataset << " (set FOGLINE_SHARED)";
  }
  if (!std::filesystem::exists(fogline)) GTEST_SKIP() << "needs the fogline binary at " << fogline;

  // The dataset's first item (labels.txt order) is what `--limit 1` evaluates.
  std::ifstream labels(dataset + "/labels.txt");
  std::string file;
  int truth = -1;
  ASSERT_TRUE(labels >> file >> truth) << "cannot read " << dataset << "/labels.txt";

  std::string report_text = run_and_capture("'" + fogline + "' eval '" + model + "' '" + dataset +
                                            "' --preset imagenet --limit 1 --threads 1 --json 2>/dev/null");
  json report = json::parse(report_text, nullptr, false);
  ASSERT_TRUE(report.is_object() && report.contains("overall")) << report_text.substr(0, 500);
  // confusion rows are [true class, predicted class, count].
  const json& confusion = report["overall"]["confusion"];
  ASSERT_EQ(confusion.size(), 1u) << confusion.dump();
  ASSERT_EQ(confusion[0][0].get<int>(), truth);
  const int eval_top1 = confusion[0][1].get<int>();

  NodeProcess node({"--model", "mobilenet=" + model + ",preset=imagenet"});
  ASSERT_TRUE(node.started()) << node.error();
  auto image = read_file(dataset + "/images/" + file);
  ASSERT_TRUE(image.is_ok()) << image.status().message();
  auto res = node.client()->Post("/predict?top_k=5", *image, "image/jpeg");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json classes = json::parse(res->body)["predictions"][0]["classes"];
  ASSERT_EQ(classes.size(), 5u);
  EXPECT_EQ(classes[0]["index"].get<int>(), eval_top1) << res->body;
  EXPECT_GT(classes[0]["score"].get<double>(), classes[1]["score"].get<double>());
}

}  // namespace
}  // namespace fogline::node::testing
