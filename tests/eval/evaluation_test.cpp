// The evaluation runner end to end with real engine sessions of models built here: a
// "brightest channel" classifier over coloured images with a camera slice, and a detector that
// always reports the same box, on a YOLO dataset.
#include "eval/evaluation.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "engine/model_builder.h"
#include "eval/plots.h"

namespace fogline::eval {
namespace {

namespace fs = std::filesystem;
using engine::DataType;
using engine::Tensor;
using engine::testing::TestModel;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() / ("fogline-eval-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string path(const std::string& rel = "") const { return rel.empty() ? path_.string() : (path_ / rel).string(); }
  void write(const std::string& rel, const std::string& text) const {
    fs::create_directories((path_ / rel).parent_path());
    std::ofstream(path_ / rel) << text;
  }
  void image(const std::string& rel, int w, int h, cv::Scalar bgr) const {
    fs::create_directories((path_ / rel).parent_path());
    ASSERT_TRUE(cv::imwrite((path_ / rel).string(), cv::Mat(h, w, CV_8UC3, bgr)));
  }

 private:
  fs::path path_;
  static inline int counter_ = 0;
};

// [1,3,8,8] -> GlobalAveragePool -> Flatten -> [1,3]: the mean of each channel (R, G, B).
std::unique_ptr<engine::Session> channel_mean_classifier() {
  TestModel m;
  m.input("x", DataType::kFloat, {1, 3, 8, 8});
  m.node("GlobalAveragePool", {"x"}, {"p"});
  m.node("Flatten", {"p"}, {"y"});
  m.output("y");
  auto s = m.session();
  EXPECT_TRUE(s.is_ok()) << s.status().to_string();
  return std::move(s).value();
}

TEST(Evaluation, ClassificationOverallAndPerSlice) {
  TempDir d;
  const cv::Scalar red(0, 0, 255), green(0, 255, 0), blue(255, 0, 0);
  d.image("red/1.png", 16, 16, red);
  d.image("red/2.png", 16, 16, red);
  d.image("green/3.png", 16, 16, green);
  d.image("green/4.png", 16, 16, green);
  d.image("blue/5.png", 16, 16, blue);
  d.image("blue/6.png", 16, 16, green);  // mislabelled on camera b
  d.write("metadata.csv", "file,camera\nred/1.png,a\nred/2.png,b\ngreen/3.png,a\ngreen/4.png,b\nblue/5.png,a\nblue/6.png,b\n");
  d.write("model_labels.txt", "red\ngreen\nblue\n");  // the model's output order
  data::DatasetOptions o;
  o.slices = {data::SliceSpec::parse("camera=column:camera").value()};
  auto ds = data::load_dataset(d.path(), o);
  ASSERT_TRUE(ds.is_ok()) << ds.status().to_string();
  ASSERT_EQ(ds->class_names, (std::vector<std::string>{"blue", "green", "red"}));
  auto session = channel_mean_classifier();
  EvaluationOptions eo;
  eo.spec.post.labels_file = d.path("model_labels.txt");
  eo.top_k = 2;
  int64_t last_done = 0;
  eo.progress = [&](int64_t done, int64_t total) {
    last_done = done;
    EXPECT_EQ(total, 6);
  };
  auto r = evaluate_model(*session, *ds, eo);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(last_done, 6);
  EXPECT_EQ(r->items, 6);
  ASSERT_TRUE(r->classification);
  EXPECT_NEAR(r->classification->accuracy, 5.0 / 6.0, 1e-12);
  EXPECT_EQ(r->classification->confusion_at(0, 1), 1);  // blue labelled, green predicted
  ASSERT_EQ(r->slices.size(), 2u);
  EXPECT_EQ(r->slices[0].value, "a");
  EXPECT_DOUBLE_EQ(r->slices[0].primary, 1.0);
  EXPECT_NEAR(r->slices[1].primary, 2.0 / 3.0, 1e-12);
  EXPECT_EQ(r->latency.runs, 6);
  EXPECT_GT(r->latency.p90_ms, 0);
  EXPECT_GE(r->latency.p90_ms, r->latency.p50_ms);
  auto j = r->to_json();
  EXPECT_EQ(j["slices"]["camera"]["b"]["items"], 3);
  EXPECT_GT(j["slices"]["camera"]["b"]["latency_p90_ms"].get<double>(), 0);

  TempDir plots;
  auto files = write_plots(*r, plots.path());
  ASSERT_TRUE(files.is_ok()) << files.status().to_string();
  EXPECT_EQ(files->size(), 2u);  // confusion matrix, camera slices
  std::ifstream in(plots.path("slices_camera.svg"));
  std::string svg((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("a (3)"), std::string::npos);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);

  // The same names inline (as the registry stores a spec) give the same result.
  EvaluationOptions inline_labels;
  inline_labels.spec.post.labels = {"red", "green", "blue"};
  auto r2 = evaluate_model(*session, *ds, inline_labels);
  ASSERT_TRUE(r2.is_ok()) << r2.status().to_string();
  EXPECT_NEAR(r2->classification->accuracy, 5.0 / 6.0, 1e-12);
  // Without a labels file the counts agree (3 and 3) and the order is taken as is: the
  // model's R,G,B against the dataset's blue,green,red gets only green right.
  auto unmapped = evaluate_model(*session, *ds, EvaluationOptions{});
  ASSERT_TRUE(unmapped.is_ok());
  EXPECT_NEAR(unmapped->classification->accuracy, 2.0 / 6.0, 1e-12);  // the two green images
  // A slice key the dataset does not define is an error, not an empty table.
  EvaluationOptions bad;
  bad.slice_keys = {"site"};
  EXPECT_FALSE(evaluate_model(*session, *ds, bad).is_ok());
}

// Ignores the image and reports one box (xyxy 2,2,6,6 on the 8x8 input) with scores
// (class 0: .9, class 1: .1): boxes = 0 * mean(x) + B, scores = 0 * mean(x) + S.
std::unique_ptr<engine::Session> constant_detector() {
  TestModel m;
  m.input("x", DataType::kFloat, {1, 3, 8, 8});
  m.initializer("B", Tensor::from_vector<float>({1, 1, 4}, {2, 2, 6, 6}));
  m.initializer("S", Tensor::from_vector<float>({1, 1, 2}, {0.9f, 0.1f}));
  m.initializer("zero", Tensor::from_vector<float>({1}, {0.0f}));
  auto& mean = m.node("ReduceMean", {"x"}, {"m"});
  engine::testing::set_attr(mean, "keepdims", int64_t{0});
  m.node("Mul", {"m", "zero"}, {"z"});
  m.node("Add", {"z", "B"}, {"boxes"});
  m.node("Add", {"z", "S"}, {"scores"});
  m.output("boxes");
  m.output("scores");
  auto s = m.session();
  EXPECT_TRUE(s.is_ok()) << s.status().to_string();
  return std::move(s).value();
}

TEST(Evaluation, DetectionBoxesMappedBackAndScoredTheCocoWay) {
  TempDir d;
  // 16x16 images, stretched to 8x8: the model's box (2,2)-(6,6) is (4,4)-(12,12) here,
  // i.e. YOLO "0.5 0.5 0.5 0.5".
  d.image("images/site1/a.png", 16, 16, cv::Scalar(1, 2, 3));
  d.image("images/site2/b.png", 16, 16, cv::Scalar(1, 2, 3));
  d.write("classes.txt", "thing\nother\n");
  d.write("labels/site1/a.txt", "0 0.5 0.5 0.5 0.5\n");
  d.write("labels/site2/b.txt", "1 0.5 0.5 0.5 0.5\n");
  data::DatasetOptions o;
  o.slices = {data::SliceSpec::parse("site=folder:0").value()};
  auto ds = load_dataset(d.path(), o);
  ASSERT_TRUE(ds.is_ok()) << ds.status().to_string();
  auto session = constant_detector();
  EvaluationOptions eo;
  eo.spec.post.kind = processing::PostprocessKind::kBoxesScores;
  eo.spec.post.score_threshold = 0.3;
  auto r = evaluate_model(*session, *ds, eo);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_TRUE(r->coco);
  // Class 0: a hit on a (score .9) and a miss on b (same score, later image): rc [1, 1],
  // pr [1, .5] -> AP 1. Class 1: one gt, no detection -> AP 0. Mean 0.5.
  EXPECT_DOUBLE_EQ(r->coco->category_ap(0), 1.0);
  EXPECT_DOUBLE_EQ(r->coco->category_ap(1), 0.0);
  EXPECT_DOUBLE_EQ(r->overall["AP"].get<double>(), 0.5);
  ASSERT_EQ(r->slices.size(), 2u);
  EXPECT_EQ(r->slices[0].value, "site1");
  EXPECT_DOUBLE_EQ(r->slices[0].primary, 1.0);  // only class 0 has gt there
  EXPECT_DOUBLE_EQ(r->slices[1].primary, 0.0);
  TempDir plots;
  auto files = write_plots(*r, plots.path());
  ASSERT_TRUE(files.is_ok());
  EXPECT_EQ(files->size(), 3u);  // PR curves, per-class AP, site slices
  TempDir pngs;
  auto both = write_plots(*r, pngs.path(), PlotFormat::kBoth);
  ASSERT_TRUE(both.is_ok()) << both.status().to_string();
  EXPECT_EQ(both->size(), 6u);
  cv::Mat pr = cv::imread(pngs.path("pr_curves.png"));
  EXPECT_EQ(pr.cols, 640);
  EXPECT_EQ(pr.rows, 460);
  EXPECT_FALSE(parse_plot_format("gif").is_ok());
  // With the detector's class names (output order) the classes map by name: the detector's
  // class 0 is called "other" here, so its boxes count for the dataset's class 1 and class 0
  // gets nothing. Class 1 (other): FP on a (.9) ties the TP on b, a first: AP 51/101 * ... = .5
  // recall points up to 1 at precision .5 -> 0.5. Class "thing": no detections -> 0.
  d.write("detector_names.txt", "other\nthing\n");
  EvaluationOptions mapped = eo;
  mapped.spec.post.labels_file = d.path("detector_names.txt");
  auto rm = evaluate_model(*session, *ds, mapped);
  ASSERT_TRUE(rm.is_ok()) << rm.status().to_string();
  EXPECT_DOUBLE_EQ(rm->coco->category_ap(0), 0.0);
  EXPECT_NEAR(rm->coco->category_ap(1), 0.5, 1e-12);
  // A classifier spec on a detection dataset is refused with a reason.
  EXPECT_FALSE(evaluate_model(*session, *ds, EvaluationOptions{}).is_ok());
}

// [1,2] x [[1],[2]] -> [1,1]: prediction = a + 2b.
TEST(Evaluation, RegressionFromCsvRowsPerSlice) {
  TempDir d;
  // Predictions 1+2*1=3, 2+2*0=2, 0+2*2=4 against targets 3, 1, 6: errors 0, 1, -2.
  d.write("data.csv", "a,b,site,target\n1,1,north,3\n2,0,south,1\n0,2,south,6\n");
  data::DatasetOptions o;
  o.slices = {data::SliceSpec::parse("site=column:site").value()};
  auto ds = data::load_dataset(d.path(), o);
  ASSERT_TRUE(ds.is_ok()) << ds.status().to_string();
  ASSERT_EQ(ds->task, data::TaskKind::kRegression);
  TestModel m;
  m.input("x", DataType::kFloat, {1, 2});
  m.initializer("w", Tensor::from_vector<float>({2, 1}, {1, 2}));
  m.node("MatMul", {"x", "w"}, {"y"});
  m.output("y");
  auto session = m.session();
  ASSERT_TRUE(session.is_ok()) << session.status().to_string();
  EvaluationOptions eo;
  eo.spec.post.kind = processing::PostprocessKind::kRegression;
  auto r = evaluate_model(**session, *ds, eo);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_DOUBLE_EQ(r->overall["mae"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(r->overall["rmse"].get<double>(), std::sqrt(5.0 / 3.0));
  ASSERT_EQ(r->slices.size(), 2u);
  EXPECT_DOUBLE_EQ(r->slices[0].primary, 0.0);  // north
  EXPECT_DOUBLE_EQ(r->slices[1].primary, 1.5);  // south: |1| and |-2|
}

TEST(Evaluation, Percentile) {
  EXPECT_DOUBLE_EQ(percentile({1, 2, 3, 4}, 50), 2.5);
  EXPECT_DOUBLE_EQ(percentile({5}, 90), 5);
  EXPECT_NEAR(percentile({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 90), 9.1, 1e-12);
  EXPECT_DOUBLE_EQ(percentile({}, 50), 0);
}

}  // namespace
}  // namespace fogline::eval
