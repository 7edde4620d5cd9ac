// The model commands through the real fogline binary, against the test's backend.
#include <gmock/gmock.h>

#include "registry/import_fixture.h"

namespace fogline::registry::testing {
namespace {

class ModelCli : public ImportTest {
 protected:
  // Runs fogline with --home/--db appended; returns stdout, and stderr on failure.
  ProcessResult fogline(std::vector<std::string> args) {
    std::vector<std::string> argv = {std::string(FOGLINE_BINARY_DIR) + "/fogline"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--home", home_options_.dir, "--db", db_url_});
    auto r = run_process(argv);
    EXPECT_TRUE(r.is_ok());
    return r.is_ok() ? *r : ProcessResult{};
  }
};
FOGLINE_INSTANTIATE_BACKENDS(ModelCli);

using ::testing::HasSubstr;

TEST_P(ModelCli, ImportListShowTagPromoteDiffCheckGc) {
  ASSERT_TRUE(fs::exists(std::string(FOGLINE_BINARY_DIR) + "/fogline")) << "build the fogline target: this test runs it";
  write(dir_ + "/cam.onnx", make_model_bytes(31));
  write(dir_ + "/cam2.onnx", make_model_bytes(32, 128));
  auto first = fogline({"model", "import", dir_ + "/cam.onnx"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.out, HasSubstr("imported cam@1"));
  write(dir_ + "/spec.json", R"({"preprocess": {"layout": "NCHW", "size": [224, 224]}})");
  auto second = fogline({"model", "import", dir_ + "/cam2.onnx", "--name", "cam", "--parent", "1", "--spec", dir_ + "/spec.json",
                         "--param", "lr=0.001", "--param", "optimizer=adamw", "--dataset", "lobby-cams=v3"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(fogline({"model", "list"}).out, HasSubstr("cam                                     2  2"));
  ASSERT_EQ(fogline({"model", "tag", "cam@1", "lobby"}).exit_code, 0);
  auto promoted = fogline({"model", "promote", "cam@lobby", "--stage", "production", "--note", "best on lobby"});
  ASSERT_EQ(promoted.exit_code, 0) << promoted.err;
  EXPECT_THAT(promoted.out, HasSubstr("cam@1: dev -> production"));
  auto bad_stage = fogline({"model", "promote", "cam@2", "--stage", "live"});
  EXPECT_NE(bad_stage.exit_code, 0);
  EXPECT_THAT(bad_stage.err, HasSubstr("unknown stage 'live'"));
  EXPECT_THAT(fogline({"model", "versions", "cam"}).out, HasSubstr("production  lobby"));

  // Metrics recorded through the API show per dataset and slice.
  ASSERT_TRUE(reg_->record_metrics("cam@1", "lobby-cams", "v3",
                                   {{"", "", {{"top1", 0.81}}}, {"camera", "cam-7", {{"top1", 0.62}}}})
                  .is_ok());
  auto show = fogline({"model", "show", "cam@production"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("cam@1  [production] #lobby"));
  EXPECT_THAT(show.out, HasSubstr("x                              float32[1,256]"));
  EXPECT_THAT(show.out, HasSubstr("16384 parameters"));
  EXPECT_THAT(show.out, HasSubstr("metrics     lobby-cams @v3"));
  EXPECT_THAT(show.out, HasSubstr("camera=cam-7                 0.6200"));
  EXPECT_THAT(show.out, HasSubstr("stage dev -> production"));
  EXPECT_THAT(show.out, HasSubstr("best on lobby"));

  auto v2 = reg_->get("cam@2");
  ASSERT_TRUE(v2.is_ok());
  EXPECT_EQ(v2->hyperparameters["lr"], 0.001);
  EXPECT_EQ(v2->hyperparameters["optimizer"], "adamw");
  EXPECT_EQ(v2->dataset_versions["lobby-cams"], "v3");
  EXPECT_EQ(v2->processing_spec["preprocess"]["layout"], "NCHW");
  EXPECT_EQ(v2->parent, "cam@1");
  auto bad_spec = fogline({"model", "import", dir_ + "/cam2.onnx", "--spec", dir_ + "/cam.onnx"});
  EXPECT_NE(bad_spec.exit_code, 0);
  EXPECT_THAT(bad_spec.err, HasSubstr("is not JSON"));
  auto diff = fogline({"model", "diff", "cam@1", "2"});
  ASSERT_EQ(diff.exit_code, 0) << diff.err;
  EXPECT_THAT(diff.out, HasSubstr("facts.parameters"));
  EXPECT_THAT(diff.out, HasSubstr("metrics.lobby-cams#v3.camera=cam-7.top1"));
  EXPECT_THAT(diff.out, HasSubstr("parent"));
  EXPECT_THAT(diff.out, HasSubstr("hyperparameters.lr"));
  EXPECT_THAT(diff.out, HasSubstr("spec.preprocess.layout"));

  auto check = fogline({"model", "check", "--verify"});
  EXPECT_EQ(check.exit_code, 0) << check.out;
  EXPECT_THAT(check.out, HasSubstr("2 versions, 2 artifacts, 2 objects: consistent"));
  // A corrupted object is found.
  auto v1 = reg_->get("cam@1");
  ASSERT_TRUE(v1.is_ok());
  std::string path = home_->cas().path_of(v1->artifacts[0].digest);
  fs::permissions(path, fs::perms::owner_write, fs::perm_options::add);
  { std::fstream(path, std::ios::in | std::ios::out | std::ios::binary).put('!'); }
  auto corrupt = fogline({"model", "check", "--verify"});
  EXPECT_EQ(corrupt.exit_code, 1);
  EXPECT_THAT(corrupt.out, HasSubstr("is corrupt on disk"));

  // gc keeps referenced objects and removes an unreferenced one.
  ASSERT_TRUE(home_->cas().put("unreferenced").is_ok());
  auto gc = fogline({"gc", "--grace", "0"});
  ASSERT_EQ(gc.exit_code, 0) << gc.err;
  EXPECT_THAT(gc.out, HasSubstr("removed 1 objects"));
  EXPECT_EQ(home_->cas().list()->size(), 2u);
  EXPECT_THAT(fogline({"model", "show", "nope"}).err, HasSubstr("no model named 'nope'"));
}

}  // namespace
}  // namespace fogline::registry::testing
