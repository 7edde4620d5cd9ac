// Shared by the import tests: a home and registry on the test's backend, a loopback HTTP
// server, small real ONNX models, git repositories made with the real git binary (one of them
// holding a Git LFS pointer), and the "nothing was left behind" check.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/sha256.h"
#include "engine/model_builder.h"
#include "registry/importer.h"
#include "registry/loopback_server.h"
#include "registry/subprocess.h"
#include "store/artifacts.h"
#include "store/test_backends.h"

namespace fogline::registry::testing {

namespace fs = std::filesystem;

// A real model: y = x · W with W [k, 64] float (k*256 bytes of weights), seeded.
inline std::string make_model_bytes(uint32_t seed, int64_t k = 256) {
  engine::testing::TestModel m;
  m.input("x", engine::DataType::kFloat, {1, k});
  m.initializer("W", engine::testing::random_tensor({k, 64}, seed));
  m.node("MatMul", {"x", "W"}, {"y"});
  m.output("y");
  return m.bytes();
}

inline std::string lfs_pointer_for(const std::string& bytes) {
  return "version https://git-lfs.github.com/spec/v1\noid sha256:" + sha256_hex(bytes) + "\nsize " +
         std::to_string(bytes.size()) + "\n";
}

inline void write(const std::string& path, const std::string& bytes) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

// Runs git; fails the test with its stderr when it fails.
inline std::string git(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"git", "-c", "user.name=Fogline Test", "-c", "user.email=test@fogline.invalid",
                                   "-c", "init.defaultBranch=main", "-c", "protocol.file.allow=always"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = run_process(argv);
  EXPECT_TRUE(r.is_ok() && r->exit_code == 0) << "git " << args[0] << ": " << (r.is_ok() ? r->err : r.status().message());
  std::string out = r.is_ok() ? r->out : "";
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

struct GitRepo {
  std::string bare;    // DIR/NAME.git, ready for dumb HTTP (update-server-info) and file://
  std::string commit;  // of main
};

// A repository whose model.onnx is a Git LFS pointer (the object goes in the bare repo's
// lfs/objects store too, as git-lfs keeps it) and whose plain.onnx is a regular file.
inline GitRepo make_git_repo(const std::string& dir, const std::string& name, const std::string& lfs_model,
                             const std::string& plain_model) {
  std::string work = dir + "/" + name + "-work";
  git({"init", "-q", work});
  write(work + "/.gitattributes", "*.onnx filter=lfs diff=lfs merge=lfs -text\nplain.onnx -filter -diff -merge\n");
  write(work + "/model.onnx", lfs_pointer_for(lfs_model));
  write(work + "/plain.onnx", plain_model);
  write(work + "/README.md", "test models\n");
  git({"-C", work, "add", "."});
  git({"-C", work, "commit", "-q", "-m", "models"});
  GitRepo repo;
  repo.bare = dir + "/" + name + ".git";
  git({"clone", "-q", "--bare", work, repo.bare});
  git({"-C", repo.bare, "update-server-info"});
  std::string oid = sha256_hex(lfs_model);
  write(repo.bare + "/lfs/objects/" + oid.substr(0, 2) + "/" + oid.substr(2, 2) + "/" + oid, lfs_model);
  repo.commit = git({"-C", repo.bare, "rev-parse", "main"});
  return repo;
}

class ImportTest : public store::testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    home_options_ = {dir_ + "/home", db_url_};
    auto home = store::Home::open(home_options_);
    ASSERT_TRUE(home.is_ok()) << home.status().to_string();
    home_ = std::move(home).value();
    auto reg = Registry::open(*home_);
    ASSERT_TRUE(reg.is_ok()) << reg.status().to_string();
    reg_ = std::move(reg).value();
    server_ = std::make_unique<LoopbackServer>();
    options_.bases.github = server_->url() + "/gh";
    options_.bases.github_raw = server_->url() + "/files/raw";
    options_.bases.huggingface = server_->url() + "/files/hf";
  }
  void TearDown() override {
    server_.reset();
    BackendTest::TearDown();
  }

  int count(const std::string& table) {
    auto rows = home_->db().query("SELECT COUNT(*) FROM " + table);
    EXPECT_TRUE(rows.is_ok());
    return rows.is_ok() ? static_cast<int>((*rows)[0].i(0)) : -1;
  }
  static int entries(const std::string& dir) {
    std::error_code ec;
    int n = 0;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) ++n;
    return n;
  }
  // A failed import leaves no version, no artifact row, no object and no temporary file.
  void expect_nothing_left(const std::string& what) {
    SCOPED_TRACE(what);
    EXPECT_EQ(count("versions"), 0);
    EXPECT_EQ(count("models"), 0);
    EXPECT_EQ(count("artifacts"), 0);
    EXPECT_EQ(home_->cas().list()->size(), 0u);
    EXPECT_EQ(entries(home_->cas().temp_dir()), 0);
    EXPECT_EQ(entries(home_->work_root()), 0);
  }

  store::HomeOptions home_options_;
  std::unique_ptr<store::Home> home_;
  std::unique_ptr<Registry> reg_;
  std::unique_ptr<LoopbackServer> server_;
  ImportOptions options_;
};

}  // namespace fogline::registry::testing
