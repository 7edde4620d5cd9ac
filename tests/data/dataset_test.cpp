// Dataset loading on small trees written by the tests, one behaviour per test; the shared
// datasets (../shared/datasets) are checked at the end when present.
#include "data/dataset.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace fogline::data {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() / ("fogline-data-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string path(const std::string& rel = "") const { return rel.empty() ? path_.string() : (path_ / rel).string(); }
  void write(const std::string& rel, const std::string& text) const {
    fs::create_directories((path_ / rel).parent_path());
    std::ofstream(path_ / rel, std::ios::binary) << text;
  }
  void image(const std::string& rel, int w, int h) const {
    fs::create_directories((path_ / rel).parent_path());
    cv::Mat m(h, w, CV_8UC3, cv::Scalar(10, 20, 30));
    ASSERT_TRUE(cv::imwrite((path_ / rel).string(), m));
  }

 private:
  fs::path path_;
  static inline int counter_ = 0;
};

std::string issue_at(const Dataset& ds, const std::string& kind) {
  for (const auto& i : ds.issues) {
    if (i.kind == kind) return i.to_string();
  }
  return "";
}

TEST(ImageFolder, ClassFoldersSortedAndFolderSlices) {
  TempDir d;
  d.image("dog/cam2/b.png", 8, 6);
  d.image("cat/cam1/a.png", 8, 6);
  d.image("cat/cam2/c.jpg", 10, 4);
  DatasetOptions o;
  o.slices = {SliceSpec::parse("camera=folder:-1").value()};
  auto ds = load_dataset(d.path(), o);
  ASSERT_TRUE(ds.is_ok()) << ds.status().to_string();
  EXPECT_EQ(ds->format, "imagefolder");
  EXPECT_EQ(ds->class_names, (std::vector<std::string>{"cat", "dog"}));
  ASSERT_EQ(ds->items.size(), 3u);
  EXPECT_EQ(ds->items[0].relative, "cat/cam1/a.png");
  EXPECT_EQ(ds->items[0].label, 0);
  EXPECT_EQ(ds->items[2].label, 1);
  EXPECT_EQ(ds->items[1].width, 10);
  EXPECT_EQ(ds->items[1].height, 4);
  EXPECT_EQ(ds->slice_counts("camera"), (std::map<std::string, int64_t>{{"cam1", 1}, {"cam2", 2}}));
  EXPECT_TRUE(ds->issues.empty());
}

TEST(ImageFolder, FlatWithLabelsFileReportsEveryBadLine) {
  TempDir d;
  d.image("images/a.png", 4, 4);
  d.image("images/b.png", 4, 4);
  d.image("images/unlabelled.png", 4, 4);
  d.write("images/broken.jpg", "not a jpeg");
  d.write("classes.txt", "n01440764 tench, Tinca tinca\nn01443537 goldfish\nn01484850 great white shark\n");
  d.write("labels.txt",
          "a.png 0 n01440764\n"
          "b.png goldfish\n"
          "\n"
          "justonefield\n"
          "c.png 1\n"
          "a.png 7\n"
          "broken.jpg 2\n");
  auto ds = load_dataset(d.path(), {});
  ASSERT_TRUE(ds.is_ok()) << ds.status().to_string();
  EXPECT_EQ(ds->class_names[0], "tench");
  EXPECT_EQ(ds->class_names[2], "great white shark");
  ASSERT_EQ(ds->items.size(), 2u);
  EXPECT_EQ(ds->items[1].label, 1);  // by name
  auto counts = ds->issue_counts();
  EXPECT_EQ(counts["bad_line"], 1);
  EXPECT_EQ(counts["missing_image"], 1);
  EXPECT_EQ(counts["unknown_class"], 1);
  EXPECT_EQ(counts["unreadable_file"], 1);
  EXPECT_EQ(counts["missing_label"], 1);
  EXPECT_EQ(issue_at(*ds, "bad_line").rfind("labels.txt:4: bad_line", 0), 0u) << issue_at(*ds, "bad_line");
  EXPECT_EQ(issue_at(*ds, "missing_image").rfind("labels.txt:5: missing_image", 0), 0u);
  EXPECT_EQ(issue_at(*ds, "unknown_class").rfind("labels.txt:6: unknown_class", 0), 0u);
  EXPECT_NE(issue_at(*ds, "missing_label").find("unlabelled.png"), std::string::npos);
}

TEST(Yolo, BoxesInPixelsAndBadAnnotationsWithLines) {
  TempDir d;
  d.image("images/cam1/x.jpg", 200, 100);
  d.image("images/cam2/y.jpg", 200, 100);
  d.write("images/cam2/z.jpg", "garbage");
  d.write("classes.txt", "person\ncar\n");
  d.write("labels/cam1/x.txt",
          "0 0.5 0.5 0.2 0.4\n"      // 40x40 box centred
          "1 1.2 0.5 0.2 0.2\n"      // outside on the right: nothing left
          "5 0.5 0.5 0.1 0.1\n"      // unknown class
          "0 0.5 zero 0.1 0.1\n"     // bad line
          "1 0.95 0.5 0.2 0.2\n");   // sticks out by 10 px: clipped
  d.write("labels/cam2/z.txt", "0 0.5 0.5 0.1 0.1\n");
  d.write("labels/cam3/orphan.txt", "0 0.5 0.5 0.1 0.1\n");
  DatasetOptions o;
  o.slices = {SliceSpec::parse("camera=folder:0").value()};
  auto ds = load_dataset(d.path(), o);
  ASSERT_TRUE(ds.is_ok()) << ds.status().to_string();
  EXPECT_EQ(ds->format, "yolo");
  EXPECT_EQ(ds->task, TaskKind::kDetection);
  ASSERT_EQ(ds->items.size(), 2u);  // z.jpg is unreadable
  const auto& x = ds->items[0];
  ASSERT_EQ(x.boxes.size(), 2u);
  EXPECT_DOUBLE_EQ(x.boxes[0].x, 80);
  EXPECT_DOUBLE_EQ(x.boxes[0].y, 30);
  EXPECT_DOUBLE_EQ(x.boxes[0].w, 40);
  EXPECT_DOUBLE_EQ(x.boxes[0].h, 40);
  EXPECT_NEAR(x.boxes[1].x, 170, 1e-9);
  EXPECT_NEAR(x.boxes[1].w, 30, 1e-9);  // clipped at 200
  EXPECT_TRUE(ds->items[1].boxes.empty());  // no label file: background image
  auto counts = ds->issue_counts();
  EXPECT_EQ(counts["box_outside_image"], 2);
  EXPECT_EQ(counts["unknown_class"], 1);
  EXPECT_EQ(counts["bad_line"], 1);
  EXPECT_EQ(counts["unreadable_file"], 1);
  EXPECT_EQ(counts["missing_image"], 1);
  EXPECT_EQ(issue_at(*ds, "unknown_class").rfind("labels/cam1/x.txt:3: unknown_class", 0), 0u) << issue_at(*ds, "unknown_class");
  EXPECT_EQ(issue_at(*ds, "bad_line").rfind("labels/cam1/x.txt:4:", 0), 0u);
  EXPECT_NE(issue_at(*ds, "missing_image").find("orphan.txt"), std::string::npos);
  EXPECT_EQ(ds->slice_counts("camera"), (std::map<std::string, int64_t>{{"cam1", 1}, {"cam2", 1}}));
}

TEST(Coco, InstancesWithProblemsAndSlicesFromColumnsAndSidecars) {
  TempDir d;
  d.image("images/1.jpg", 100, 50);
  d.image("images/2.jpg", 100, 50);
  d.write("images/2.json", R"({"meta": {"site": "north"}})");
  d.write("annotations/instances.json", R"({
    "images": [{"id": 1, "file_name": "1.jpg", "width": 100, "height": 50, "camera": "gate"},
               {"id": 2, "file_name": "2.jpg", "camera": "yard"},
               {"id": 3, "file_name": "3.jpg"}],
    "categories": [{"id": 18, "name": "dog"}, {"id": 1, "name": "person"}],
    "annotations": [
      {"id": 1, "image_id": 1, "category_id": 18, "bbox": [10, 10, 20, 20], "area": 300, "iscrowd": 0},
      {"id": 2, "image_id": 1, "category_id": 99, "bbox": [10, 10, 20, 20]},
      {"id": 3, "image_id": 2, "category_id": 1, "bbox": [90, 40, 30, 30], "iscrowd": 1},
      {"id": 4, "image_id": 3, "category_id": 1, "bbox": [0, 0, 5, 5]}
    ]})");
  DatasetOptions o;
  o.slices = {SliceSpec::parse("camera=column:camera").value(), SliceSpec::parse("site=sidecar:meta.site").value()};
  auto ds = load_dataset(d.path(), o);
  ASSERT_TRUE(ds.is_ok()) << ds.status().to_string();
  EXPECT_EQ(ds->format, "coco");
  EXPECT_EQ(ds->class_names, (std::vector<std::string>{"person", "dog"}));  // sorted by id
  EXPECT_EQ(ds->category_ids, (std::vector<int64_t>{1, 18}));
  ASSERT_EQ(ds->items.size(), 2u);
  ASSERT_EQ(ds->items[0].boxes.size(), 1u);
  EXPECT_EQ(ds->items[0].boxes[0].class_index, 1);
  EXPECT_DOUBLE_EQ(ds->items[0].boxes[0].area, 300);  // the file's area is kept
  ASSERT_EQ(ds->items[1].boxes.size(), 1u);
  EXPECT_TRUE(ds->items[1].boxes[0].iscrowd);
  EXPECT_DOUBLE_EQ(ds->items[1].boxes[0].w, 10);  // clipped at the image's right edge
  auto counts = ds->issue_counts();
  EXPECT_EQ(counts["unknown_class"], 1);
  EXPECT_EQ(counts["missing_image"], 1);
  EXPECT_EQ(counts["box_outside_image"], 1);
  EXPECT_NE(issue_at(*ds, "unknown_class").find("annotations[1].category_id: 99"), std::string::npos)
      << issue_at(*ds, "unknown_class");
  EXPECT_EQ(ds->items[0].tags.at("camera"), "gate");
  EXPECT_EQ(ds->items[1].tags.at("camera"), "yard");
  EXPECT_EQ(ds->items[0].tags.at("site"), kMissingSliceValue);
  EXPECT_EQ(ds->items[1].tags.at("site"), "north");
}

TEST(Csv, RegressionRowsAndClassificationTargets) {
  TempDir d;
  d.write("data.csv", "t0,t1,site,target\n1,2,a,0.5\n3,4,b,1.5\n5,x,a,2\n");
  DatasetOptions o;
  o.slices = {SliceSpec::parse("site=column:site").value()};
  auto ds = load_dataset(d.path(), o);
  ASSERT_TRUE(ds.is_ok()) << ds.status().to_string();
  EXPECT_EQ(ds->format, "csv");
  EXPECT_EQ(ds->task, TaskKind::kRegression);
  EXPECT_EQ(ds->feature_names, (std::vector<std::string>{"t0"}));  // t1 is not numeric everywhere
  ASSERT_EQ(ds->items.size(), 3u);
  EXPECT_DOUBLE_EQ(ds->items[1].target, 1.5);
  EXPECT_EQ(ds->slice_counts("site"), (std::map<std::string, int64_t>{{"a", 2}, {"b", 1}}));
  TempDir c;
  c.write("data.csv", "f,label\n1,cat\n2,dog\n\"3\",cat\n");
  auto cls = load_dataset(c.path("data.csv"), {});
  ASSERT_TRUE(cls.is_ok()) << cls.status().to_string();
  EXPECT_EQ(cls->task, TaskKind::kClassification);
  EXPECT_EQ(cls->class_names, (std::vector<std::string>{"cat", "dog"}));
  EXPECT_EQ(cls->items[2].label, 0);
  TempDir bad;
  bad.write("data.csv", "a,target\n1,2\n3\n");
  auto b = load_dataset(bad.path(), {});
  ASSERT_FALSE(b.is_ok());
  EXPECT_NE(b.status().message().find("data.csv:3: 1 fields, the header has 2"), std::string::npos) << b.status().message();
}

TEST(Csv, SensorWindowsFromLongFormatRows) {
  TempDir d;
  // Windows w1 (rows 2, 3, 6), w2 (rows 4, 5, 7), w3 (two rows only), w4 (label changes).
  d.write("data.csv",
          "window,ax,ay,label\n"
          "w1,1,2,walk\n" "w1,3,4,walk\n"
          "w2,5,6,run\n" "w2,7,8,run\n"
          "w1,9,10,walk\n" "w2,11,12,run\n"
          "w3,0,0,walk\n" "w3,0,0,walk\n"
          "w4,0,0,walk\n" "w4,0,0,run\n" "w4,0,0,walk\n");
  DatasetOptions o;
  o.window_column = "window";
  auto ds = load_dataset(d.path(), o);
  ASSERT_TRUE(ds.is_ok()) << ds.status().to_string();
  EXPECT_EQ(ds->task, TaskKind::kClassification);
  EXPECT_EQ(ds->feature_names, (std::vector<std::string>{"ax", "ay"}));
  ASSERT_EQ(ds->items.size(), 2u);
  EXPECT_EQ(ds->items[0].features, (std::vector<double>{1, 2, 3, 4, 9, 10}));
  EXPECT_EQ(ds->items[1].features, (std::vector<double>{5, 6, 7, 8, 11, 12}));
  EXPECT_EQ(ds->class_names[static_cast<size_t>(ds->items[1].label)], "run");
  auto counts = ds->issue_counts();
  EXPECT_EQ(counts["bad_window"], 1);  // w3: 4 values, the others 6
  EXPECT_EQ(counts["bad_line"], 1);    // w4's second row
  EXPECT_EQ(issue_at(*ds, "bad_line").rfind("data.csv:11: bad_line: window w4", 0), 0u) << issue_at(*ds, "bad_line");
}

TEST(Dataset, ContentHashFollowsEveryFile) {
  TempDir d;
  d.image("cat/a.png", 4, 4);
  d.image("dog/b.png", 4, 4);
  auto hash = [&]() { return dataset_content_hash(load_dataset(d.path(), {}).value()).value(); };
  std::string h1 = hash();
  EXPECT_EQ(h1, hash());
  EXPECT_EQ(h1.size(), 64u);
  d.image("dog/b.png", 4, 5);  // changed bytes
  std::string h2 = hash();
  EXPECT_NE(h1, h2);
  fs::rename(d.path("dog/b.png"), d.path("dog/c.png"));  // same bytes, other name
  EXPECT_NE(h2, hash());
}

TEST(Dataset, BadOptionsAreClearErrors) {
  EXPECT_FALSE(SliceSpec::parse("camera").is_ok());
  EXPECT_FALSE(SliceSpec::parse("camera=folder:x").is_ok());
  EXPECT_FALSE(SliceSpec::parse("camera=exif:Model").is_ok());
  auto missing = load_dataset("/nonexistent/fogline", {});
  ASSERT_FALSE(missing.is_ok());
  EXPECT_NE(missing.status().message().find("/nonexistent/fogline"), std::string::npos);
  TempDir d;
  DatasetOptions o;
  o.format = "pascal";
  auto r = load_dataset(d.path(), o);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("unknown dataset format \"pascal\""), std::string::npos);
}

std::string shared_dir() {
  const char* env = std::getenv("FOGLINE_SHARED");
  return env ? env : std::string(FOGLINE_SOURCE_DIR) + "/../shared";
}

TEST(SharedDatasets, ImagenetSampleAndCoco128) {
  std::string inet = shared_dir() + "/datasets/imagenet-sample-500";
  std::string coco = shared_dir() + "/datasets/coco-val2017-first128";
  if (!fs::is_directory(inet) || !fs::is_directory(coco)) GTEST_SKIP() << "no shared datasets in " << shared_dir();
  auto in = load_dataset(inet, {});
  ASSERT_TRUE(in.is_ok()) << in.status().to_string();
  EXPECT_EQ(in->format, "imagefolder");
  EXPECT_EQ(in->items.size(), 500u);
  EXPECT_EQ(in->class_names.size(), 1000u);
  EXPECT_EQ(in->class_names[0], "tench");
  EXPECT_EQ(in->items[0].label, 0);
  EXPECT_TRUE(in->issues.empty()) << in->issues[0].to_string();
  auto co = load_dataset(coco, {});
  ASSERT_TRUE(co.is_ok()) << co.status().to_string();
  EXPECT_EQ(co->format, "yolo");
  EXPECT_EQ(co->items.size(), 128u);
  EXPECT_EQ(co->class_names.size(), 80u);
  EXPECT_EQ(co->box_count() + co->issue_counts()["unknown_class"] + co->issue_counts()["bad_line"], 898);
}

}  // namespace
}  // namespace fogline::data
