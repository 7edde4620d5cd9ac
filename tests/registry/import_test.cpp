#include "registry/import_fixture.h"

namespace fogline::registry::testing {
namespace {

class Import : public ImportTest {};
FOGLINE_INSTANTIATE_BACKENDS(Import);

TEST_P(Import, LocalFileWithTheEnginesFacts) {
  std::string model = make_model_bytes(1);
  write(dir_ + "/models/detector-v1.onnx", model);
  auto r = import_model(*reg_, dir_ + "/models/detector-v1.onnx", options_);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  const VersionRecord& v = r->version;
  EXPECT_EQ(v.ref(), "detector-v1@1");
  ASSERT_EQ(v.artifacts.size(), 1u);
  EXPECT_EQ(v.artifacts[0].digest, sha256_hex(model));
  EXPECT_EQ(*home_->cas().read(v.artifacts[0].digest), model);
  EXPECT_EQ(v.facts["inputs"][0]["name"], "x");
  EXPECT_EQ(v.facts["outputs"][0]["name"], "y");
  EXPECT_EQ(v.facts["parameters"], 256 * 64);
  EXPECT_EQ(v.facts["flops"], 2 * 256 * 64);
  EXPECT_EQ(v.facts["opsets"].begin().value(), 13);
  EXPECT_TRUE(v.facts["unsupported_ops"].empty());
  EXPECT_EQ(reg_->get("detector-v1@1")->facts, v.facts);  // stored, not only returned
}

// Variants and other files kept with a version (`model import --artifact ROLE=FILE`).
TEST_P(Import, ExtraArtifactsAreStoredUnderTheirRolesAndReservedRolesRefused) {
  std::string model = make_model_bytes(1), variant = make_model_bytes(2);
  write(dir_ + "/models/cam.onnx", model);
  write(dir_ + "/models/cam-int8.onnx", variant);
  options_.extra_artifacts = {{"model", dir_ + "/models/cam-int8.onnx"}};
  auto refused = import_model(*reg_, dir_ + "/models/cam.onnx", options_);
  ASSERT_FALSE(refused.is_ok());
  EXPECT_NE(refused.status().message().find("the role 'model' is reserved"), std::string::npos) << refused.status().message();
  EXPECT_FALSE(home_->cas().contains(sha256_hex(model))) << "a refused import left its model in the store";
  options_.extra_artifacts = {{"variant:int8", dir_ + "/models/missing.onnx"}};
  EXPECT_FALSE(import_model(*reg_, dir_ + "/models/cam.onnx", options_).is_ok());

  options_.extra_artifacts = {{"variant:int8", dir_ + "/models/cam-int8.onnx"}};
  auto r = import_model(*reg_, dir_ + "/models/cam.onnx", options_);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_EQ(r->version.artifacts.size(), 2u);
  const auto stored = reg_->get(r->version.ref());
  ASSERT_TRUE(stored.is_ok());
  bool found = false;
  for (const auto& a : stored->artifacts) {
    if (a.role != "variant:int8") continue;
    found = true;
    EXPECT_EQ(a.digest, sha256_hex(variant));
    EXPECT_EQ(*home_->cas().read(a.digest), variant);
  }
  EXPECT_TRUE(found);
}

TEST_P(Import, HttpDownloadResumesWithRangeAfterBrokenConnections) {
  std::string model = make_model_bytes(2, 2048);  // 512 KiB of weights
  server_->add_file("m.onnx", model);
  server_->break_next = 2;
  options_.name = "resumed";
  options_.sha256 = sha256_hex(model);
  auto r = import_model(*reg_, server_->url() + "/files/m.onnx", options_);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_TRUE(r->resumed);
  EXPECT_EQ(r->version.artifacts[0].digest, sha256_hex(model));
  EXPECT_TRUE(server_->logged("GET /files/m.onnx bytes=")) << "no Range request was made";
  EXPECT_TRUE(server_->logged("-> 206"));
  EXPECT_EQ(entries(home_->cas().temp_dir()), 0);
}

TEST_P(Import, PartialDownloadOfAKilledProcessIsTakenOver) {
  std::string model = make_model_bytes(3, 1024);
  server_->add_file("m.onnx", model);
  // What a killed download leaves: dl-KEY.DEADPID.0 with the first bytes.
  std::string key = sha256_hex(server_->url() + "/files/m.onnx\n" + sha256_hex(model)).substr(0, 24);
  write(home_->cas().temp_dir() + "/dl-" + key + ".999999999.0", model.substr(0, 100000));
  options_.sha256 = sha256_hex(model);  // only a download with a known hash continues another's bytes
  auto r = import_model(*reg_, server_->url() + "/files/m.onnx", options_);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_TRUE(r->resumed);
  EXPECT_TRUE(server_->logged("GET /files/m.onnx bytes=100000-")) << ::testing::PrintToString(server_->log());
  EXPECT_EQ(r->version.artifacts[0].digest, sha256_hex(model));
  EXPECT_EQ(entries(home_->cas().temp_dir()), 0);

  // Without a known hash the leftover is discarded and the download starts over.
  std::string other_key = sha256_hex(server_->url() + "/files/m.onnx\n").substr(0, 24);
  write(home_->cas().temp_dir() + "/dl-" + other_key + ".999999999.0", "stale bytes of an older file");
  options_.sha256.clear();
  options_.version = "again";
  auto fresh = import_model(*reg_, server_->url() + "/files/m.onnx", options_);
  ASSERT_TRUE(fresh.is_ok()) << fresh.status().to_string();
  EXPECT_FALSE(fresh->resumed);
  EXPECT_EQ(fresh->version.artifacts[0].digest, sha256_hex(model));
  EXPECT_EQ(entries(home_->cas().temp_dir()), 0);
}

// Must-show 3, first half: a model stored in Git LFS on a loopback git server.
TEST_P(Import, GitOverDumbHttpWithAnLfsPointer) {
  std::string lfs_model = make_model_bytes(4), plain = make_model_bytes(5);
  GitRepo repo = make_git_repo(dir_ + "/srv", "repo", lfs_model, plain);
  server_->mount("/git", dir_ + "/srv");
  server_->add_lfs_object(sha256_hex(lfs_model), lfs_model);
  std::string source = "git+" + server_->url() + "/git/repo.git#model.onnx@main";
  auto r = import_model(*reg_, source, options_);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_TRUE(r->lfs);
  EXPECT_EQ(r->version.model, "model");
  EXPECT_EQ(r->version.source_url, source);
  EXPECT_EQ(r->version.source_commit, repo.commit);
  EXPECT_EQ(r->version.artifacts[0].digest, sha256_hex(lfs_model));
  EXPECT_EQ(r->version.artifacts[0].size_bytes, static_cast<int64_t>(lfs_model.size()));
  EXPECT_TRUE(server_->logged("POST /git/repo.git/info/lfs/objects/batch -> 200"));
  EXPECT_TRUE(server_->logged("GET /lfs/" + sha256_hex(lfs_model)));
  EXPECT_TRUE(server_->logged("GET /git/repo.git/info/refs"));  // it really spoke dumb HTTP git

  // A regular file from the same repository, at a commit id.
  options_.name = "plain";
  auto p = import_model(*reg_, "git+" + server_->url() + "/git/repo.git#plain.onnx@" + repo.commit, options_);
  ASSERT_TRUE(p.is_ok()) << p.status().to_string();
  EXPECT_FALSE(p->lfs);
  EXPECT_EQ(p->version.artifacts[0].digest, sha256_hex(plain));
  EXPECT_EQ(entries(home_->work_root()), 0);
  EXPECT_TRUE(reg_->check_integrity(true)->ok());
}

TEST_P(Import, GitFileRemoteResolvesLfsFromItsLocalStore) {
  std::string lfs_model = make_model_bytes(6), plain = make_model_bytes(7);
  GitRepo repo = make_git_repo(dir_ + "/srv", "repo", lfs_model, plain);
  auto r = import_model(*reg_, "git+file://" + repo.bare + "#model.onnx", options_);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_TRUE(r->lfs);
  EXPECT_EQ(r->version.source_commit, repo.commit);
  EXPECT_EQ(r->version.artifacts[0].digest, sha256_hex(lfs_model));
}

TEST_P(Import, GithubAndHuggingFaceSourcesOnLoopback) {
  std::string lfs_model = make_model_bytes(8), plain = make_model_bytes(9);
  GitRepo repo = make_git_repo(dir_ + "/gh/acme", "vision", lfs_model, plain);
  server_->mount("/gh", dir_ + "/gh");
  // raw.githubusercontent.com serves the pointer of an LFS file, the real bytes of others.
  server_->add_file("raw/acme/vision/main/model.onnx", lfs_pointer_for(lfs_model));
  server_->add_file("raw/acme/vision/main/plain.onnx", plain);
  server_->add_lfs_object(sha256_hex(lfs_model), lfs_model);
  auto a = import_model(*reg_, "github:acme/vision/model.onnx@main", options_);
  ASSERT_TRUE(a.is_ok()) << a.status().to_string();
  EXPECT_TRUE(a->lfs);
  EXPECT_EQ(a->version.source_commit, repo.commit);  // the ref resolved through the git remote
  EXPECT_TRUE(server_->logged("POST /gh/acme/vision.git/info/lfs/objects/batch -> 200"));
  EXPECT_EQ(a->version.artifacts[0].digest, sha256_hex(lfs_model));

  options_.name = "vision-plain";
  auto b = import_model(*reg_, server_->url() + "/gh/acme/vision/blob/main/plain.onnx", options_);
  ASSERT_TRUE(b.is_ok()) << b.status().to_string();
  EXPECT_FALSE(b->lfs);
  EXPECT_EQ(b->version.artifacts[0].digest, sha256_hex(plain));
  EXPECT_EQ(b->version.source_commit, repo.commit);

  server_->add_file("hf/acme/tiny/resolve/v2/onnx/model.onnx", plain, {{"X-Repo-Commit", std::string(40, 'c')}});
  options_.name = "";
  auto c = import_model(*reg_, "hf:acme/tiny/onnx/model.onnx@v2", options_);
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  EXPECT_EQ(c->version.ref(), "model@2");  // named after the file, like the GitHub import
  EXPECT_EQ(c->version.source_commit, std::string(40, 'c'));
  EXPECT_EQ(c->version.source_url, "hf:acme/tiny/onnx/model.onnx@v2");
  EXPECT_TRUE(c->existing_object);  // same bytes as vision-plain: stored once
  auto arts = store::list_artifacts(home_->db());
  ASSERT_TRUE(arts.is_ok());
  EXPECT_EQ(arts->size(), 2u);
  EXPECT_TRUE(reg_->check_integrity(true)->ok());
}

// Must-show 3, second half: every way an import can fail leaves nothing behind.
TEST_P(Import, FailedImportsLeaveNoVersionArtifactOrTemporaryFile) {
  std::string model = make_model_bytes(10, 1024);
  server_->add_file("m.onnx", model);
  std::string url = server_->url() + "/files/m.onnx";

  options_.sha256 = sha256_hex("something else");
  auto wrong_hash = import_model(*reg_, url, options_);
  ASSERT_FALSE(wrong_hash.is_ok());
  EXPECT_NE(wrong_hash.status().message().find("SHA-256 is " + sha256_hex(model)), std::string::npos) << wrong_hash.status().message();
  expect_nothing_left("--sha256 mismatch");
  options_.sha256.clear();

  server_->break_always = true;
  auto truncated = import_model(*reg_, url, options_);
  ASSERT_FALSE(truncated.is_ok());
  EXPECT_NE(truncated.status().message().find("gave up"), std::string::npos) << truncated.status().message();
  expect_nothing_left("connection always cut");
  server_->break_always = false;

  // An LFS object whose bytes do not match the pointer's oid.
  std::string lfs_model = make_model_bytes(11);
  GitRepo repo = make_git_repo(dir_ + "/srv", "repo", lfs_model, model);
  server_->mount("/git", dir_ + "/srv");
  server_->add_lfs_object(sha256_hex(lfs_model), lfs_model);
  server_->flip_a_byte = true;
  auto corrupt = import_model(*reg_, "git+" + server_->url() + "/git/repo.git#model.onnx@main", options_);
  ASSERT_FALSE(corrupt.is_ok());
  EXPECT_NE(corrupt.status().message().find("expected " + sha256_hex(lfs_model)), std::string::npos) << corrupt.status().message();
  expect_nothing_left("LFS object corrupt");
  server_->flip_a_byte = false;

  // The LFS server does not have the object.
  server_->add_file("raw/acme/x/main/model.onnx", lfs_pointer_for("not stored anywhere"));
  auto missing = import_model(*reg_, "github:acme/x/model.onnx@main", options_);
  ASSERT_FALSE(missing.is_ok());
  EXPECT_NE(missing.status().message().find("Object does not exist"), std::string::npos) << missing.status().message();
  expect_nothing_left("LFS object missing");

  // Bytes that are not a model, and a path that is not in the repository.
  server_->add_file("junk.onnx", std::string(5000, 'j'));
  auto junk = import_model(*reg_, server_->url() + "/files/junk.onnx", options_);
  ASSERT_FALSE(junk.is_ok());
  EXPECT_NE(junk.status().message().find("not a model"), std::string::npos) << junk.status().message();
  expect_nothing_left("not a model");
  auto no_path = import_model(*reg_, "git+" + server_->url() + "/git/repo.git#nope.onnx@main", options_);
  ASSERT_FALSE(no_path.is_ok());
  EXPECT_NE(no_path.status().message().find("'nope.onnx' is not a file"), std::string::npos) << no_path.status().message();
  auto no_ref = import_model(*reg_, "git+" + server_->url() + "/git/repo.git#model.onnx@no-such-branch", options_);
  ASSERT_FALSE(no_ref.is_ok());
  auto http_404 = import_model(*reg_, server_->url() + "/files/absent.onnx", options_);
  ASSERT_FALSE(http_404.is_ok());
  EXPECT_NE(http_404.status().message().find("HTTP 404"), std::string::npos) << http_404.status().message();
  expect_nothing_left("missing path, ref, file");

  // A version that already exists: the object this import added goes again.
  options_.name = "m";
  options_.version = "1";
  ASSERT_TRUE(import_model(*reg_, url, options_).is_ok());
  write(dir_ + "/other.onnx", make_model_bytes(12));
  auto dup = import_model(*reg_, dir_ + "/other.onnx", options_);
  ASSERT_FALSE(dup.is_ok());
  EXPECT_EQ(home_->cas().list()->size(), 1u);
  EXPECT_EQ(entries(home_->cas().temp_dir()), 0);
}

}  // namespace
}  // namespace fogline::registry::testing
