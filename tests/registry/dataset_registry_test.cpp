// Registered datasets: content-hashed versions (the same content is the same version, changed
// content a new one), found by name, number or hash prefix; `fogline eval MODEL@V NAME` loads a
// registered dataset with the options it was added with, records the metrics under its
// version, and refuses files that changed since they were added. On SQLite and PostgreSQL.
#include <gmock/gmock.h>

#include <set>

#include "registry/datasets.h"
#include "registry/import_fixture.h"

namespace fogline::registry::testing {
namespace {

using ::testing::HasSubstr;

class DatasetRegistry : public ImportTest {};
FOGLINE_INSTANTIATE_BACKENDS(DatasetRegistry);

NewDatasetVersion sample(const std::string& hash_char, const std::string& path) {
  NewDatasetVersion d;
  d.name = "yard";
  d.content_sha256 = std::string(64, hash_char[0]);
  d.format = "yolo";
  d.task = "detection";
  d.path = path;
  d.items = 10;
  d.files = 21;
  d.boxes = 30;
  d.issues = 2;
  d.classes = {"person", "car"};
  d.slices = {{"camera", {{"cam1", 6}, {"cam2", 4}}}};
  d.issue_counts = {{"unknown_class", 1}, {"box_outside_image", 1}};
  d.load_options = {{"format", "yolo"}, {"slices", {"camera=folder:0"}}};
  return d;
}

TEST_P(DatasetRegistry, SameContentSameVersionChangedContentNewVersion) {
  auto first = register_dataset_version(*reg_, sample("a", "/data/yard"));
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();
  EXPECT_TRUE(first->created);
  EXPECT_EQ(first->version.ref(), "yard@1");
  EXPECT_EQ(first->version.version, "sha256:" + std::string(64, 'a'));
  EXPECT_EQ(first->version.issue_counts["unknown_class"], 1);
  EXPECT_EQ(first->version.slices["camera"]["cam1"], 6);

  auto again = register_dataset_version(*reg_, sample("a", "/moved/yard"));  // same bytes, moved
  ASSERT_TRUE(again.is_ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->version.number, 1);
  EXPECT_EQ(again->version.path, "/moved/yard");

  auto changed = register_dataset_version(*reg_, sample("b", "/moved/yard"));
  ASSERT_TRUE(changed.is_ok());
  EXPECT_TRUE(changed->created);
  EXPECT_EQ(changed->version.ref(), "yard@2");

  auto versions = dataset_versions(*reg_, "yard");
  ASSERT_TRUE(versions.is_ok());
  EXPECT_EQ(versions->size(), 2u);
  EXPECT_EQ(get_dataset_version(*reg_, "yard")->number, 2);
  EXPECT_EQ(get_dataset_version(*reg_, "yard@1")->number, 1);
  EXPECT_EQ(get_dataset_version(*reg_, "yard@sha256:aaaaaaaa")->number, 1);
  EXPECT_EQ(get_dataset_version(*reg_, "yard@bbbbbbbbbb")->number, 2);
  EXPECT_FALSE(get_dataset_version(*reg_, "yard@abc").is_ok());  // too short a prefix
  EXPECT_FALSE(get_dataset_version(*reg_, "yard@3").is_ok());
  auto unknown = get_dataset_version(*reg_, "nosuch");
  ASSERT_FALSE(unknown.is_ok());
  EXPECT_THAT(unknown.status().message(), HasSubstr("no dataset named 'nosuch'"));
  auto list = list_datasets(*reg_);
  ASSERT_TRUE(list.is_ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].versions, 2);
  EXPECT_EQ((*list)[0].latest.number, 2);

  NewDatasetVersion bad = sample("a", "/x");
  bad.content_sha256 = "xyz";
  EXPECT_FALSE(register_dataset_version(*reg_, bad).is_ok());
  bad = sample("c", "/x");
  bad.name = "bad name/";
  EXPECT_FALSE(register_dataset_version(*reg_, bad).is_ok());
  EXPECT_EQ(count("dataset_versions"), 2);
}

std::string ppm(int r, int g, int b) {
  std::string bytes = "P6\n6 6\n255\n";
  for (int i = 0; i < 36; ++i) bytes += {static_cast<char>(r), static_cast<char>(g), static_cast<char>(b)};
  return bytes;
}

TEST_P(DatasetRegistry, EvalByNameRecordsTheDatasetVersion) {
  const std::string fogline = std::string(FOGLINE_BINARY_DIR) + "/fogline";
  ASSERT_TRUE(fs::exists(fogline)) << "build the fogline target: this test runs it";
  auto run = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {fogline};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--home", home_options_.dir, "--db", db_url_});
    auto r = run_process(argv);
    EXPECT_TRUE(r.is_ok());
    return r.is_ok() ? *r : ProcessResult{};
  };
  // Red is "a", green "b"; scores = mean (R, G, B) x W.
  engine::testing::TestModel m;
  m.input("x", engine::DataType::kFloat, {1, 3, 4, 4});
  m.initializer("W", engine::Tensor::from_vector<float>({3, 2}, {1, 0, 0, 1, 0, 0}));
  m.node("GlobalAveragePool", {"x"}, {"p"});
  m.node("Flatten", {"p"}, {"f"});
  m.node("MatMul", {"f", "W"}, {"s"});
  m.output("s");
  write(dir_ + "/m.onnx", m.bytes());
  const std::string data = dir_ + "/cams";
  write(data + "/a/cam1/r.ppm", ppm(200, 0, 0));
  write(data + "/a/cam2/r.ppm", ppm(200, 0, 0));
  write(data + "/b/cam2/g.ppm", ppm(0, 200, 0));
  write(data + "/b/cam2/wrong.ppm", ppm(200, 0, 0));
  ASSERT_EQ(run({"model", "import", dir_ + "/m.onnx", "--name", "net"}).exit_code, 0);
  auto added = run({"data", "add", "cams", data, "--slice", "camera=folder:1", "--json"});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  auto summary = nlohmann::json::parse(added.out, nullptr, false);
  ASSERT_FALSE(summary.is_discarded()) << added.out;
  std::string version = summary["registered"]["version"];

  // By name: the slices come from the registration (--slice KEY only picks the key).
  auto eval = run({"eval", "net@1", "cams", "--slice", "camera", "--threads", "1", "--json"});
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  auto j = nlohmann::json::parse(eval.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << eval.out;
  EXPECT_EQ(j["dataset"]["registered"], "cams@1");
  EXPECT_NEAR(j["overall"]["accuracy"].get<double>(), 0.75, 1e-9);
  auto rows = reg_->metrics("net@1", "cams");
  ASSERT_TRUE(rows.is_ok());
  ASSERT_EQ(rows->size(), 3u);  // overall, cam1, cam2
  for (const auto& r : *rows) EXPECT_EQ(r.dataset_version, version);
  EXPECT_NEAR((*rows)[2].slice.metrics["accuracy"].get<double>(), 2.0 / 3, 1e-9);

  // Changed files: refused under the old version; added again they are version 2.
  write(data + "/b/cam2/wrong.ppm", ppm(0, 200, 0));
  auto stale = run({"eval", "net@1", "cams@1", "--threads", "1"});
  EXPECT_NE(stale.exit_code, 0);
  EXPECT_THAT(stale.err, HasSubstr("changed since `fogline data add`"));
  ASSERT_EQ(run({"data", "add", "cams", data, "--slice", "camera=folder:1"}).exit_code, 0);
  auto fresh = run({"eval", "net@1", "cams@2", "--threads", "1"});
  ASSERT_EQ(fresh.exit_code, 0) << fresh.err;
  EXPECT_THAT(fresh.out, HasSubstr("top-1 accuracy   1.0000"));
  auto all = reg_->metrics("net@1", "cams");
  ASSERT_TRUE(all.is_ok());
  std::set<std::string> versions;
  for (const auto& r : *all) versions.insert(r.dataset_version);
  EXPECT_EQ(versions.size(), 2u);  // both dataset versions' numbers are kept

  // data show lists the evaluations of each version.
  auto show = run({"data", "show", "cams", "--json"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  auto shown = nlohmann::json::parse(show.out, nullptr, false);
  ASSERT_FALSE(shown.is_discarded()) << show.out;
  ASSERT_EQ(shown.size(), 2u);
  ASSERT_EQ(shown[0]["evaluations"].size(), 1u);
  EXPECT_EQ(shown[0]["evaluations"][0]["model"], "net@1");
  EXPECT_NEAR(shown[0]["evaluations"][0]["overall"]["accuracy"].get<double>(), 0.75, 1e-9);
  EXPECT_NEAR(shown[1]["evaluations"][0]["overall"]["accuracy"].get<double>(), 1.0, 1e-9);
  EXPECT_THAT(run({"data", "show", "cams@2"}).out, HasSubstr("evaluated net@1"));

  // Lineage: a model trained on a registered dataset names its content-hash version.
  auto trained = run({"model", "import", dir_ + "/m.onnx", "--name", "net", "--dataset", "cams@1"});
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  EXPECT_EQ(reg_->get("net@2")->dataset_versions["cams"], version);
  EXPECT_NE(run({"model", "import", dir_ + "/m.onnx", "--name", "net", "--dataset", "nosuch"}).exit_code, 0);
}

}  // namespace
}  // namespace fogline::registry::testing
