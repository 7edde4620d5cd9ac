// ONNX external data: a model whose weights live in files beside it (`location` relative to
// the model, one of them in a subfolder at an offset) is imported with those files from a
// local path, an http URL and a git repository (where one data file is a Git LFS pointer);
// each file becomes an artifact "external-data:LOCATION" of the version, and the stored
// version evaluates through the registry to the same numbers as the original files.
#include <gmock/gmock.h>

#include <cstring>

#include "registry/external_data.h"
#include "registry/import_fixture.h"

namespace fogline::registry::testing {
namespace {

using ::testing::HasSubstr;

std::string float_bytes(const std::vector<float>& v) {
  std::string out(v.size() * sizeof(float), '\0');
  std::memcpy(out.data(), v.data(), out.size());  // ONNX raw data is little-endian, as this machine
  return out;
}

void make_external(onnx::TensorProto* t, const std::string& location, size_t offset, size_t length) {
  t->clear_raw_data();
  t->clear_float_data();
  t->set_data_location(onnx::TensorProto::EXTERNAL);
  for (auto [k, v] : {std::pair<std::string, std::string>{"location", location}, {"offset", std::to_string(offset)},
                      {"length", std::to_string(length)}}) {
    auto* kv = t->add_external_data();
    kv->set_key(k);
    kv->set_value(v);
  }
}

// y = x · W + B with W [4, 1] in weights.bin and B [1] in data/bias.bin after 8 other bytes.
struct ExternalModel {
  std::string model, weights, bias;
};
ExternalModel external_model() {
  std::vector<float> w = {1.0f, 2.0f, -1.0f, 0.5f}, b = {0.25f};
  engine::testing::TestModel m;
  m.input("x", engine::DataType::kFloat, {1, 4});
  m.initializer("W", engine::Tensor::from_vector<float>({4, 1}, w));
  m.initializer("B", engine::Tensor::from_vector<float>({1}, b));
  m.node("MatMul", {"x", "W"}, {"xw"});
  m.node("Add", {"xw", "B"}, {"y"});
  m.output("y");
  auto* g = m.proto().mutable_graph();
  make_external(g->mutable_initializer(0), "weights.bin", 0, 16);
  make_external(g->mutable_initializer(1), "data/bias.bin", 8, 4);
  return {m.bytes(), float_bytes(w), "padding!" + float_bytes(b)};
}

class ExternalData : public ImportTest {
 protected:
  void write_model_dir(const std::string& dir, const ExternalModel& m) {
    write(dir + "/net.onnx", m.model);
    write(dir + "/weights.bin", m.weights);
    write(dir + "/data/bias.bin", m.bias);
  }
  void expect_artifacts(const VersionRecord& v, const ExternalModel& m) {
    ASSERT_EQ(v.artifacts.size(), 3u) << v.ref();
    std::map<std::string, std::string> by_role;
    for (const auto& a : v.artifacts) by_role[a.role] = a.digest;
    EXPECT_EQ(by_role["model"], sha256_hex(m.model));
    EXPECT_EQ(by_role["external-data:weights.bin"], sha256_hex(m.weights));
    EXPECT_EQ(by_role["external-data:data/bias.bin"], sha256_hex(m.bias));
    EXPECT_EQ(v.facts["external_data"], Json({"data/bias.bin", "weights.bin"}));
    EXPECT_EQ(v.facts["parameters"], 5);
  }
  ProcessResult fogline(std::vector<std::string> args) {
    std::vector<std::string> argv = {std::string(FOGLINE_BINARY_DIR) + "/fogline"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--home", home_options_.dir, "--db", db_url_});
    auto r = run_process(argv);
    EXPECT_TRUE(r.is_ok());
    return r.is_ok() ? *r : ProcessResult{};
  }
};
FOGLINE_INSTANTIATE_BACKENDS(ExternalData);

TEST_P(ExternalData, LocationsAreListedAndEscapesRefused) {
  ExternalModel m = external_model();
  write(dir_ + "/m.onnx", m.model);
  auto locations = external_data_locations(dir_ + "/m.onnx");
  ASSERT_TRUE(locations.is_ok()) << locations.status().to_string();
  EXPECT_EQ(*locations, (std::vector<std::string>{"data/bias.bin", "weights.bin"}));
  engine::testing::TestModel bad;
  bad.input("x", engine::DataType::kFloat, {1});
  bad.initializer("w", engine::Tensor::from_vector<float>({1}, {1}));
  make_external(bad.proto().mutable_graph()->mutable_initializer(0), "../secret.bin", 0, 4);
  bad.node("Add", {"x", "w"}, {"y"});
  bad.output("y");
  write(dir_ + "/bad.onnx", bad.bytes());
  auto refused = external_data_locations(dir_ + "/bad.onnx");
  ASSERT_FALSE(refused.is_ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("outside the model's folder"));
}

TEST_P(ExternalData, ImportsTheDataFilesFromAPathAnHttpUrlAndAGitRepository) {
  ExternalModel m = external_model();
  // A missing data file fails the import by name and leaves nothing behind.
  write(dir_ + "/incomplete/net.onnx", m.model);
  write(dir_ + "/incomplete/weights.bin", m.weights);
  auto incomplete = import_model(*reg_, dir_ + "/incomplete/net.onnx", options_);
  ASSERT_FALSE(incomplete.is_ok());
  EXPECT_THAT(incomplete.status().message(), HasSubstr("external data 'data/bias.bin'"));
  expect_nothing_left("missing external data");

  // Local path.
  write_model_dir(dir_ + "/local", m);
  ImportOptions o = options_;
  o.name = "ext";
  auto local = import_model(*reg_, dir_ + "/local/net.onnx", o);
  ASSERT_TRUE(local.is_ok()) << local.status().to_string();
  expect_artifacts(local->version, m);

  // http: the data files are fetched from beside the model's URL.
  server_->add_file("models/net.onnx", m.model);
  server_->add_file("models/weights.bin", m.weights);
  server_->add_file("models/data/bias.bin", m.bias);
  auto http = import_model(*reg_, server_->url() + "/files/models/net.onnx", o);
  ASSERT_TRUE(http.is_ok()) << http.status().to_string();
  expect_artifacts(http->version, m);

  // git over dumb HTTP, from a subfolder; data/bias.bin is stored in Git LFS.
  std::string work = dir_ + "/srv/ext-work";
  git({"init", "-q", work});
  write(work + "/.gitattributes", "*.bin filter=lfs diff=lfs merge=lfs -text\nweights.bin -filter -diff -merge\n");
  write(work + "/models/net.onnx", m.model);
  write(work + "/models/weights.bin", m.weights);
  write(work + "/models/data/bias.bin", lfs_pointer_for(m.bias));
  git({"-C", work, "add", "."});
  git({"-C", work, "commit", "-q", "-m", "external data model"});
  git({"clone", "-q", "--bare", work, dir_ + "/srv/ext.git"});
  git({"-C", dir_ + "/srv/ext.git", "update-server-info"});
  server_->add_lfs_object(sha256_hex(m.bias), m.bias);
  server_->mount("/git", dir_ + "/srv");
  auto from_git = import_model(*reg_, "git+" + server_->url() + "/git/ext.git#models/net.onnx@main", o);
  ASSERT_TRUE(from_git.is_ok()) << from_git.status().to_string();
  expect_artifacts(from_git->version, m);
  EXPECT_TRUE(from_git->lfs);
  EXPECT_EQ(from_git->version.source_commit, git({"-C", dir_ + "/srv/ext.git", "rev-parse", "main"}));

  // The same bytes are stored once and counted per reference.
  auto integrity = reg_->check_integrity(true);
  ASSERT_TRUE(integrity.is_ok());
  EXPECT_TRUE(integrity->ok());
  EXPECT_EQ(home_->cas().list()->size(), 3u);
  EXPECT_EQ(entries(home_->cas().temp_dir()), 0);
  EXPECT_EQ(entries(home_->work_root()), 0);

  // Evaluated from the registry (files laid out beside the model again), the numbers equal
  // those of the original files; y = x1 + 2 x2 - x3 + 0.5 x4 + 0.25.
  ASSERT_TRUE(fs::exists(std::string(FOGLINE_BINARY_DIR) + "/fogline")) << "build the fogline target: this test runs it";
  write(dir_ + "/rows.csv", "a,b,c,d,target\n1,0,0,0,1.25\n0,1,0,0,2.25\n0,0,1,0,-0.75\n2,2,2,2,5\n");
  auto original = fogline({"eval", dir_ + "/local/net.onnx", dir_ + "/rows.csv", "--threads", "1", "--json"});
  ASSERT_EQ(original.exit_code, 0) << original.err;
  auto stored = fogline({"eval", "ext@3", dir_ + "/rows.csv", "--threads", "1", "--json"});
  ASSERT_EQ(stored.exit_code, 0) << stored.err;
  auto a = nlohmann::json::parse(original.out, nullptr, false), b = nlohmann::json::parse(stored.out, nullptr, false);
  ASSERT_FALSE(a.is_discarded() || b.is_discarded()) << original.out << stored.out;
  EXPECT_NEAR(b["overall"]["mae"].get<double>(), 0.25 / 4, 1e-6);  // only the last row is off, by 0.25
  EXPECT_EQ(a["overall"]["mae"], b["overall"]["mae"]);
  EXPECT_EQ(b["recorded"], true);
  EXPECT_EQ(entries(home_->work_root()), 0);  // the laid-out copy is gone
}

}  // namespace
}  // namespace fogline::registry::testing
