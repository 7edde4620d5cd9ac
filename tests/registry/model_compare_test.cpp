// Must-show 5 of issue 3 through the real fogline binary: two versions of a tiny colour
// classifier where version 2 is better overall but worse on one camera, and `fogline model
// compare` flags exactly that camera; `fogline eval MODEL@VERSION` records its report on the
// version (model show lists it) and uses the processing spec stored with the version.
#include <gmock/gmock.h>

#include "registry/import_fixture.h"

namespace fogline::registry::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Scores = mean colour (R, G, B in the order the spec feeds them, scaled to 0..1) x W [3, 2]:
// GlobalAveragePool over a [1, 3, 4, 4] image, Flatten, MatMul. Class 0 is "a", 1 is "b".
std::string colour_model(const std::vector<float>& w) {
  engine::testing::TestModel m;
  m.input("x", engine::DataType::kFloat, {1, 3, 4, 4});
  m.initializer("W", engine::Tensor::from_vector<float>({3, 2}, w));
  m.node("GlobalAveragePool", {"x"}, {"pooled"});
  m.node("Flatten", {"pooled"}, {"flat"});
  m.node("MatMul", {"flat", "W"}, {"scores"});
  m.output("scores");
  return m.bytes();
}

// A 6x6 binary PPM of one colour (decoded exactly, unlike JPEG).
std::string ppm(int r, int g, int b) {
  std::string bytes = "P6\n6 6\n255\n";
  for (int i = 0; i < 36; ++i) bytes += {static_cast<char>(r), static_cast<char>(g), static_cast<char>(b)};
  return bytes;
}

class ModelCompareCli : public ImportTest {
 protected:
  void SetUp() override {
    ImportTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(fs::exists(std::string(FOGLINE_BINARY_DIR) + "/fogline")) << "build the fogline target: this test runs it";
    // ROOT/CLASS/CAMERA/image. v1 says "a" when red beats green; v2 says "a" when blue beats
    // green (plus a little red). cam1 has red "a" images (v1 right, v2 wrong), cam2 blue ones
    // (v1 wrong, v2 right), both have green "b" images (both right):
    //   v1: cam1 4/4, cam2 2/6, overall 6/10;  v2: cam1 2/4, cam2 6/6, overall 8/10.
    data_ = dir_ + "/lobby-cams";
    for (int i = 0; i < 2; ++i) write(data_ + "/a/cam1/red" + std::to_string(i) + ".ppm", ppm(200, 100, 0));
    for (int i = 0; i < 4; ++i) write(data_ + "/a/cam2/blue" + std::to_string(i) + ".ppm", ppm(0, 100, 200));
    for (const char* cam : {"cam1", "cam2"}) {
      for (int i = 0; i < 2; ++i) write(data_ + "/b/" + cam + "/green" + std::to_string(i) + ".ppm", ppm(0, 200, 0));
    }
    // v1 is fed RGB (no stored spec: the defaults); rows are the input channels R, G, B.
    write(dir_ + "/v1.onnx", colour_model({1, 0, /**/ 0, 1, /**/ 0, 0}));
    // v2 is fed BGR by its stored spec; rows are B, G, R. Fed RGB instead, it would score like
    // v1, and nothing would be flagged: the test sees whether the stored spec is used.
    write(dir_ + "/v2.onnx", colour_model({1, 0, /**/ 0, 1, /**/ 0.1f, 0}));
    write(dir_ + "/bgr.json", R"({"preprocess": {"color": "BGR"}})");
    auto v1 = fogline({"model", "import", dir_ + "/v1.onnx", "--name", "cams"});
    ASSERT_EQ(v1.exit_code, 0) << v1.err;
    auto v2 = fogline({"model", "import", dir_ + "/v2.onnx", "--name", "cams", "--parent", "1", "--spec", dir_ + "/bgr.json"});
    ASSERT_EQ(v2.exit_code, 0) << v2.err;
  }

  // Runs fogline with --home/--db appended.
  ProcessResult fogline(std::vector<std::string> args) {
    std::vector<std::string> argv = {std::string(FOGLINE_BINARY_DIR) + "/fogline"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--home", home_options_.dir, "--db", db_url_});
    auto r = run_process(argv);
    EXPECT_TRUE(r.is_ok());
    return r.is_ok() ? *r : ProcessResult{};
  }

  std::string data_;
};
FOGLINE_INSTANTIATE_BACKENDS(ModelCompareCli);

TEST_P(ModelCompareCli, FlagsTheSliceThatGotWorseWhileOverallImproved) {
  auto text = fogline({"model", "compare", "cams@1", "cams@2", "--data", data_, "--slice", "camera=folder:1", "--threads", "1"});
  EXPECT_EQ(text.exit_code, 1) << text.out << text.err;
  EXPECT_THAT(text.out, HasSubstr("(overall)                                 0.6000     0.8000    +0.2000\n"));
  EXPECT_THAT(text.out, HasSubstr("camera           cam1                     1.0000     0.5000    -0.5000  WORSE\n"));
  EXPECT_THAT(text.out, HasSubstr("camera           cam2                     0.3333     1.0000    +0.6667\n"));
  EXPECT_THAT(text.out, HasSubstr("1 slice(s) got worse by more than 0.01, although the overall number did not"));

  // The fresh evaluations were recorded; --reuse compares the recorded numbers without running.
  auto json = fogline({"model", "compare", "cams@1", "2", "--data", data_, "--slice", "camera=folder:1", "--reuse", "--json"});
  EXPECT_EQ(json.exit_code, 1) << json.err;
  auto j = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << json.out;
  EXPECT_EQ(j["reused"], nlohmann::json({true, true}));
  EXPECT_EQ(j["metric"], "accuracy");
  EXPECT_EQ(j["worse_slices"], 1);
  EXPECT_EQ(j["overall"]["worse"], false);
  EXPECT_NEAR(j["overall"]["delta"].get<double>(), 0.2, 1e-9);
  std::vector<std::string> flagged;
  for (const auto& s : j["slices"])
    if (s["worse"].get<bool>()) flagged.push_back(s["key"].get<std::string>() + "=" + s["value"].get<std::string>());
  EXPECT_EQ(flagged, std::vector<std::string>{"camera=cam1"});

  // A tolerance above the drop flags nothing; the reverse direction flags cam2.
  auto tolerant = fogline({"model", "compare", "cams@1", "cams@2", "--data", data_, "--reuse", "--tolerance", "0.6"});
  EXPECT_EQ(tolerant.exit_code, 0) << tolerant.out << tolerant.err;
  EXPECT_THAT(tolerant.out, Not(HasSubstr("WORSE")));
  // A registered dataset by name: the same content, so the recorded numbers are reused.
  ASSERT_EQ(fogline({"data", "add", "lobby-cams", data_, "--slice", "camera=folder:1"}).exit_code, 0);
  auto by_name = fogline({"model", "compare", "cams@1", "cams@2", "--data", "lobby-cams", "--reuse"});
  EXPECT_EQ(by_name.exit_code, 1) << by_name.err;
  EXPECT_THAT(by_name.out, HasSubstr("(recorded metrics)"));
  EXPECT_THAT(by_name.out, HasSubstr("camera           cam1                     1.0000     0.5000    -0.5000  WORSE\n"));
  auto reverse = fogline({"model", "compare", "cams@2", "cams@1", "--data", data_, "--reuse"});
  EXPECT_EQ(reverse.exit_code, 1);
  EXPECT_THAT(reverse.out, HasSubstr("camera           cam2                     1.0000     0.3333    -0.6667  WORSE\n"));
  EXPECT_THAT(reverse.out, Not(HasSubstr("cam1                     0.5000     1.0000    +0.5000  WORSE")));
}

TEST_P(ModelCompareCli, EvalOfARegistryVersionRecordsItsMetrics) {
  auto eval = fogline({"eval", "cams@2", data_, "--slice", "camera=folder:1", "--threads", "1", "--json"});
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  auto j = nlohmann::json::parse(eval.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << eval.out;
  EXPECT_EQ(j["model"], "cams@2");
  EXPECT_EQ(j["recorded"], true);
  EXPECT_EQ(j["spec"]["preprocess"]["color"], "BGR");  // the version's stored spec
  EXPECT_NEAR(j["overall"]["accuracy"].get<double>(), 0.8, 1e-9);

  auto metrics = reg_->metrics("cams@2", "lobby-cams");
  ASSERT_TRUE(metrics.is_ok()) << metrics.status().to_string();
  ASSERT_EQ(metrics->size(), 3u);  // overall, camera=cam1, camera=cam2
  EXPECT_EQ((*metrics)[0].dataset_version, "sha256:" + j["dataset"]["content_sha256"].get<std::string>());
  EXPECT_EQ((*metrics)[0].slice.slice_key, "");
  EXPECT_NEAR((*metrics)[0].slice.metrics["accuracy"].get<double>(), 0.8, 1e-9);
  EXPECT_EQ((*metrics)[0].slice.metrics["primary_metric"], "accuracy");
  EXPECT_EQ((*metrics)[1].slice.slice_value, "cam1");
  EXPECT_NEAR((*metrics)[1].slice.metrics["accuracy"].get<double>(), 0.5, 1e-9);
  EXPECT_FALSE((*metrics)[0].slice.metrics.contains("confusion_matrix"));  // scalars only

  auto show = fogline({"model", "show", "cams@2"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("metrics     lobby-cams @sha256:"));
  EXPECT_THAT(show.out, HasSubstr("camera=cam1"));
  EXPECT_THAT(show.out, HasSubstr("camera=cam2"));

  // --spec overrides the stored spec (fed RGB, v2 scores like v1); --limit is not recorded.
  write(dir_ + "/rgb.json", R"({"preprocess": {"color": "RGB"}})");
  auto rgb = fogline({"eval", "cams@2", data_, "--spec", dir_ + "/rgb.json", "--threads", "1", "--limit", "5", "--json"});
  ASSERT_EQ(rgb.exit_code, 0) << rgb.err;
  EXPECT_THAT(rgb.err, HasSubstr("not recorded on cams@2: --limit"));
  auto after = reg_->metrics("cams@2");
  ASSERT_TRUE(after.is_ok());
  EXPECT_NEAR((*after)[0].slice.metrics["accuracy"].get<double>(), 0.8, 1e-9);

  // A plain model file still works and records nothing; an unknown ref is refused by name.
  auto plain = fogline({"eval", dir_ + "/v1.onnx", data_, "--threads", "1"});
  EXPECT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_THAT(plain.out, HasSubstr("top-1 accuracy   0.6000"));
  EXPECT_THAT(plain.out, Not(HasSubstr("recorded")));
  EXPECT_EQ(reg_->metrics("cams@1")->size(), 0u);
  // MODEL alone is the newest version; the text output names the version it resolved to.
  auto latest = fogline({"eval", "cams", data_, "--threads", "1"});
  ASSERT_EQ(latest.exit_code, 0) << latest.err;
  EXPECT_THAT(latest.out, HasSubstr("model      cams@2\n"));
  EXPECT_THAT(latest.out, HasSubstr("top-1 accuracy   0.8000"));
  EXPECT_THAT(latest.out, HasSubstr("recorded   on cams@2 as lobby-cams @sha256:"));
  auto unknown = fogline({"eval", "nosuch@3", data_});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_THAT(unknown.err, HasSubstr("nosuch@3 is neither a model file nor a registry version"));
}

}  // namespace
}  // namespace fogline::registry::testing
