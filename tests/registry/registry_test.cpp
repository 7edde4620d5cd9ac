#include "registry/registry.h"

#include <gtest/gtest.h>

#include "store/artifacts.h"
#include "store/test_backends.h"

namespace fogline::registry {
namespace {

class RegistryTest : public store::testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto home = store::Home::open({dir_ + "/home", db_url_});
    ASSERT_TRUE(home.is_ok()) << home.status().to_string();
    home_ = std::move(home).value();
    auto reg = Registry::open(*home_);
    ASSERT_TRUE(reg.is_ok()) << reg.status().to_string();
    reg_ = std::move(reg).value();
  }
  ArtifactRef artifact(const std::string& role, const std::string& bytes) {
    auto digest = home_->cas().put(bytes);
    EXPECT_TRUE(digest.is_ok());
    return {role, *digest, static_cast<int64_t>(bytes.size())};
  }
  std::unique_ptr<store::Home> home_;
  std::unique_ptr<Registry> reg_;
};
FOGLINE_INSTANTIATE_BACKENDS(RegistryTest);

TEST_P(RegistryTest, VersionsKeepLineageArtifactsAndNumberThemselves) {
  NewVersion nv;
  nv.model = "detector";
  nv.source_url = "https://example.invalid/a.onnx";
  nv.source_commit = "0123abcd";
  nv.hyperparameters = {{"lr", 0.01}, {"epochs", 30}};
  nv.dataset_versions = {{"cams", "sha256:aa"}};
  nv.facts = {{"parameters", 1234}};
  nv.artifacts = {artifact("model", "weights v1")};
  nv.actor = "alice";
  auto v1 = reg_->create_version(nv);
  ASSERT_TRUE(v1.is_ok()) << v1.status().to_string();
  EXPECT_EQ(v1->version, "1");
  EXPECT_EQ(v1->stage, Stage::kDev);
  EXPECT_EQ(v1->created_by, "alice");
  nv.parent = "1";
  nv.artifacts = {artifact("model", "weights v2"), artifact("labels", "cat\ndog\n")};
  nv.hyperparameters["lr"] = 0.001;
  auto v2 = reg_->create_version(nv);
  ASSERT_TRUE(v2.is_ok()) << v2.status().to_string();
  EXPECT_EQ(v2->version, "2");
  EXPECT_EQ(v2->parent, "detector@1");
  ASSERT_EQ(v2->artifacts.size(), 2u);
  EXPECT_EQ(v2->artifacts[0].role, "labels");
  nv.version = "2.10.0";
  nv.artifacts = {artifact("model", "weights v1")};  // same bytes as v1: one object, two references
  ASSERT_TRUE(reg_->create_version(nv).is_ok());
  nv.version = "2.9.1";
  ASSERT_TRUE(reg_->create_version(nv).is_ok());
  auto dup = reg_->create_version(nv);
  ASSERT_FALSE(dup.is_ok());
  EXPECT_NE(dup.status().message().find("already has version 2.9.1"), std::string::npos);

  auto got = reg_->get("detector@1");
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  EXPECT_EQ(got->hyperparameters["lr"], 0.01);
  EXPECT_EQ(got->dataset_versions["cams"], "sha256:aa");
  EXPECT_EQ(got->source_commit, "0123abcd");
  EXPECT_EQ(reg_->get("detector")->version, "2.9.1");  // newest
  EXPECT_LT(compare_versions("2.9.1", "2.10.0"), 0);
  EXPECT_LT(compare_versions("2", "10"), 0);
  EXPECT_EQ(compare_versions("1.02", "1.2"), 0);

  auto list = reg_->list_models();
  ASSERT_TRUE(list.is_ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].versions, 4);
  auto arts = store::list_artifacts(home_->db());
  ASSERT_TRUE(arts.is_ok());
  ASSERT_EQ(arts->size(), 3u);
  for (const auto& a : *arts) EXPECT_EQ(a.refcount, a.digest == v1->artifacts[0].digest ? 3 : 1) << a.digest;
  auto check = reg_->check_integrity(true);
  ASSERT_TRUE(check.is_ok());
  EXPECT_TRUE(check->ok()) << check->problems.front();
}

TEST_P(RegistryTest, RefusesBadInputAndChangesNothing) {
  NewVersion nv;
  nv.model = "m";
  nv.artifacts = {{"model", std::string(64, 'a'), 3}};  // not in the content store
  auto missing = reg_->create_version(nv);
  ASSERT_FALSE(missing.is_ok());
  EXPECT_NE(missing.status().message().find("artifact 'model'"), std::string::npos) << missing.status().message();
  nv.artifacts = {artifact("model", "abc")};
  nv.artifacts[0].size_bytes = 4;
  EXPECT_FALSE(reg_->create_version(nv).is_ok());
  nv.artifacts[0].size_bytes = 3;
  nv.parent = "m@7";
  auto parent = reg_->create_version(nv);
  ASSERT_FALSE(parent.is_ok());
  EXPECT_NE(parent.status().message().find("parent version"), std::string::npos) << parent.status().message();
  nv.parent.clear();
  nv.model = "bad name";
  EXPECT_FALSE(reg_->create_version(nv).is_ok());
  auto list = reg_->list_models();
  ASSERT_TRUE(list.is_ok());
  EXPECT_TRUE(list->empty());  // the model row of the failed transactions is gone too
  EXPECT_TRUE(store::list_artifacts(home_->db())->empty());
}

TEST_P(RegistryTest, TagsStagesAndAnAppendOnlyHistory) {
  NewVersion nv;
  nv.model = "cls";
  ASSERT_TRUE(reg_->create_version(nv).is_ok());
  ASSERT_TRUE(reg_->create_version(nv).is_ok());
  ASSERT_TRUE(reg_->tag("cls@1", "best-cam3", "bob").is_ok());
  EXPECT_EQ(reg_->get("cls@best-cam3")->version, "1");
  ASSERT_TRUE(reg_->tag("cls@2", "best-cam3", "bob").is_ok());  // moves
  EXPECT_EQ(reg_->get("cls@best-cam3")->version, "2");
  EXPECT_FALSE(reg_->tag("cls@2", "1").is_ok());           // would shadow a version
  EXPECT_FALSE(reg_->tag("cls@2", "production").is_ok());  // would shadow a stage

  ASSERT_TRUE(reg_->promote("cls@1", Stage::kProduction, "first").is_ok());
  EXPECT_EQ(reg_->get("cls@production")->version, "1");
  auto archived = reg_->promote("cls@2", Stage::kProduction);
  ASSERT_TRUE(archived.is_ok()) << archived.status().to_string();
  ASSERT_EQ(archived->size(), 1u);
  EXPECT_EQ((*archived)[0], "1");
  EXPECT_EQ(reg_->get("cls@1")->stage, Stage::kArchived);
  EXPECT_EQ(reg_->get("cls@production")->version, "2");
  EXPECT_FALSE(reg_->promote("cls@2", Stage::kProduction).is_ok());
  ASSERT_TRUE(reg_->append_history("cls@2", "deployment", {{"fleet", "lobby"}, {"devices", 12}}, "hub").is_ok());

  auto h = reg_->history("cls@1");
  ASSERT_TRUE(h.is_ok());
  std::vector<std::string> kinds;
  for (const auto& e : *h) kinds.push_back(e.kind + ":" + e.from_stage + ">" + e.to_stage);
  EXPECT_EQ(kinds, (std::vector<std::string>{"created:>dev", "tag:>", "stage:dev>production", "stage:production>archived"}));
  auto h2 = reg_->history("cls@2");
  ASSERT_TRUE(h2.is_ok());
  EXPECT_EQ(h2->back().kind, "deployment");
  EXPECT_EQ(h2->back().detail["devices"], 12);
  EXPECT_EQ(h2->back().actor, "hub");
  // The database itself refuses to rewrite history.
  EXPECT_FALSE(home_->db().execute("UPDATE history SET actor = 'mallory'").is_ok());
  EXPECT_FALSE(home_->db().execute("DELETE FROM history").is_ok());
}

TEST_P(RegistryTest, MetricsPerDatasetAndSliceAndDiff) {
  NewVersion nv;
  nv.model = "det";
  nv.hyperparameters = {{"lr", 0.1}};
  ASSERT_TRUE(reg_->create_version(nv).is_ok());
  nv.hyperparameters = {{"lr", 0.2}};
  nv.facts = {{"flops", 100}};
  ASSERT_TRUE(reg_->create_version(nv).is_ok());
  ASSERT_TRUE(reg_->record_metrics("det@1", "cams", "v1",
                                   {{"", "", {{"ap", 0.40}}}, {"camera", "cam1", {{"ap", 0.5}}}, {"camera", "cam2", {{"ap", 0.3}}}})
                  .is_ok());
  ASSERT_TRUE(reg_->record_metrics("det@2", "cams", "v1",
                                   {{"", "", {{"ap", 0.45}}}, {"camera", "cam1", {{"ap", 0.7}}}, {"camera", "cam2", {{"ap", 0.2}}}})
                  .is_ok());
  // Re-evaluating replaces the numbers of that slice.
  ASSERT_TRUE(reg_->record_metrics("det@2", "cams", "v1", {{"camera", "cam2", {{"ap", 0.25}}}}).is_ok());
  EXPECT_FALSE(reg_->record_metrics("det@2", "cams", "v1", {{"camera", "", {{"ap", 1}}}}).is_ok());
  auto m = reg_->metrics("det@2", "cams");
  ASSERT_TRUE(m.is_ok()) << m.status().to_string();
  ASSERT_EQ(m->size(), 3u);
  EXPECT_EQ((*m)[0].slice.slice_key, "");
  EXPECT_EQ((*m)[2].slice.slice_value, "cam2");
  EXPECT_DOUBLE_EQ((*m)[2].slice.metrics["ap"].get<double>(), 0.25);
  EXPECT_TRUE(reg_->metrics("det@2", "other")->empty());

  auto d = reg_->diff("det@1", "det@2");
  ASSERT_TRUE(d.is_ok()) << d.status().to_string();
  std::map<std::string, std::pair<std::string, std::string>> by_field;
  for (const auto& f : *d) by_field[f.field] = {f.a, f.b};
  EXPECT_EQ(by_field["hyperparameters.lr"], std::make_pair(std::string("0.1"), std::string("0.2")));
  EXPECT_EQ(by_field["facts.flops"], std::make_pair(std::string(""), std::string("100")));
  EXPECT_EQ(by_field["metrics.cams#v1.camera=cam2.ap"], std::make_pair(std::string("0.3"), std::string("0.25")));
  EXPECT_FALSE(by_field.count("stage"));
}

}  // namespace
}  // namespace fogline::registry
