// Must-show 4: `kill -9` of `fogline model import` at random moments, many times, over HTTP
// (slowed down so kills land mid-download), git+LFS and local sources; then the registry must
// be consistent (every version's artifacts exist and hash right, every count matches its
// references), `fogline gc` must leave no temporary file, work directory or unreferenced
// object, and the registry must still import. On SQLite and PostgreSQL.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <random>
#include <set>
#include <thread>

#include "registry/import_fixture.h"
#include "store/gc.h"

namespace fogline::registry::testing {
namespace {

class KillImport : public ImportTest {};
FOGLINE_INSTANTIATE_BACKENDS(KillImport);

pid_t spawn(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

TEST_P(KillImport, KilledAtRandomMomentsLeavesTheRegistryConsistent) {
  const std::string fogline = std::string(FOGLINE_BINARY_DIR) + "/fogline";
  ASSERT_TRUE(fs::exists(fogline)) << fogline << " is missing: this test runs the fogline binary (build the fogline target)";
  std::string http_model = make_model_bytes(21, 1024), lfs_model = make_model_bytes(22), local_model = make_model_bytes(23);
  server_->add_file("m.onnx", http_model);
  server_->chunk_delay_ms = 3;  // ~64 chunks: the download takes ~200 ms
  make_git_repo(dir_ + "/srv", "repo", lfs_model, local_model);
  server_->mount("/git", dir_ + "/srv");
  server_->add_lfs_object(sha256_hex(lfs_model), lfs_model);
  write(dir_ + "/local.onnx", local_model);
  const std::vector<std::string> sources = {server_->url() + "/files/m.onnx",
                                            "git+" + server_->url() + "/git/repo.git#model.onnx@main", dir_ + "/local.onnx"};
  std::set<std::string> known = {sha256_hex(http_model), sha256_hex(lfs_model), sha256_hex(local_model)};

  unsigned seed = std::getenv("FOGLINE_TEST_SEED") ? static_cast<unsigned>(std::atoi(std::getenv("FOGLINE_TEST_SEED"))) : 20261125u;
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> delay_ms(0, 500);
  int killed = 0, completed = 0, failed = 0;
  const int kRounds = 18;
  for (int round = 0; round < kRounds; ++round) {
    std::string source = sources[round % sources.size()];
    if (round % sources.size() == 2) {  // new bytes each time: a kill after storing them orphans an object
      std::string fresh = make_model_bytes(100 + round);
      source = dir_ + "/local-" + std::to_string(round) + ".onnx";
      write(source, fresh);
      known.insert(sha256_hex(fresh));
    }
    // Every other round pauses 150 ms after storing the object and inside the transaction,
    // so that kills also land between "object stored" and "version committed".
    ::setenv("FOGLINE_IMPORT_TEST_PAUSE_MS", round % 2 ? "150" : "0", 1);
    std::vector<std::string> argv = {fogline, "model", "import", source, "--name", "victim", "--home", home_options_.dir, "--db", db_url_};
    if (round % sources.size() == 0) argv.insert(argv.end(), {"--sha256", sha256_hex(http_model)});  // may resume a killed one
    pid_t pid = spawn(argv);
    ASSERT_GT(pid, 0);
    bool spare = round % 5 == 4;  // some run to the end, so later kills meet existing versions
    if (!spare) {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
      ::kill(pid, SIGKILL);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) ++killed;
    else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) ++completed;
    else ++failed;
    if (spare) EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "an import that was not killed failed (round " << round << ")";
  }
  std::printf("seed %u: %d imports killed, %d completed, %d failed\n", seed, killed, completed, failed);
  EXPECT_GT(killed, 0);
  EXPECT_EQ(failed, 0);

  // Consistent right after the kills: versions, artifacts, counts, bytes.
  auto report = reg_->check_integrity(true);
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  for (const auto& p : report->problems) ADD_FAILURE() << p;
  auto versions = reg_->versions("victim");
  int version_count = versions.is_ok() ? static_cast<int>(versions->size()) : 0;
  EXPECT_GE(version_count, completed);
  if (versions.is_ok())
    for (const auto& v : *versions) {
      ASSERT_EQ(v.artifacts.size(), 1u) << v.ref();
      EXPECT_TRUE(known.count(v.artifacts[0].digest)) << v.ref() << " holds unknown bytes " << v.artifacts[0].digest;
      EXPECT_FALSE(v.facts.empty()) << v.ref();
    }

  // gc leaves exactly the referenced objects and no temporary files or work directories.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // orphaned engine sandboxes exit
  auto gc = store::collect_garbage(*home_, {0, false});
  ASSERT_TRUE(gc.is_ok()) << gc.status().to_string();
  std::printf("gc after the kills: %d orphaned objects, %d temporary files, %d work directories removed\n",
              gc->objects_removed, gc->temp_files_removed, gc->work_dirs_removed);
  EXPECT_EQ(entries(home_->cas().temp_dir()), 0);
  EXPECT_EQ(entries(home_->work_root()), 0);
  auto arts = store::list_artifacts(home_->db());
  ASSERT_TRUE(arts.is_ok());
  EXPECT_EQ(home_->cas().list()->size(), arts->size());
  for (const auto& a : *arts) EXPECT_GT(a.refcount, 0) << a.digest;
  auto after = reg_->check_integrity(true);
  ASSERT_TRUE(after.is_ok());
  EXPECT_TRUE(after->ok());

  // And it still works.
  ::unsetenv("FOGLINE_IMPORT_TEST_PAUSE_MS");
  server_->chunk_delay_ms = 0;
  pid_t pid = spawn({fogline, "model", "import", sources[0], "--name", "victim", "--version", "final", "--home",
                     home_options_.dir, "--db", db_url_});
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  auto final_version = reg_->get("victim@final");
  ASSERT_TRUE(final_version.is_ok()) << final_version.status().to_string();
  EXPECT_EQ(final_version->artifacts[0].digest, sha256_hex(http_model));
}

}  // namespace
}  // namespace fogline::registry::testing
