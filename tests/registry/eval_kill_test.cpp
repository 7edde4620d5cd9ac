// Must-show 4, evaluation half: `kill -9` of `fogline eval MODEL@VERSION DATASET` at random
// moments (opening the model, loading the dataset, mid-run, inside the metrics transaction),
// many times; then the registry must be consistent (`check_integrity`, the same check as
// `fogline model check`), every evaluation's metrics must be there whole (overall + every
// slice + its history entry) or not at all, and an uninterrupted evaluation must still record
// them. The dataset is registered with `fogline data add` and evaluated by name. On SQLite and
// PostgreSQL.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <thread>

#include "registry/import_fixture.h"
#include "store/gc.h"

namespace fogline::registry::testing {
namespace {

// Enough work per image (two 3x3 convolutions on 48x48) that a few hundred images take a
// good fraction of a second, so kills land during the run as well as around it.
std::string conv_classifier() {
  engine::testing::TestModel m;
  m.input("x", engine::DataType::kFloat, {1, 3, 48, 48});
  m.initializer("W1", engine::testing::random_tensor({16, 3, 3, 3}, 1));
  m.initializer("W2", engine::testing::random_tensor({16, 16, 3, 3}, 2));
  m.initializer("W3", engine::testing::random_tensor({16, 2}, 3));
  m.node("Conv", {"x", "W1"}, {"c1"});
  m.node("Relu", {"c1"}, {"r1"});
  m.node("Conv", {"r1", "W2"}, {"c2"});
  m.node("GlobalAveragePool", {"c2"}, {"pooled"});
  m.node("Flatten", {"pooled"}, {"flat"});
  m.node("MatMul", {"flat", "W3"}, {"scores"});
  m.output("scores");
  return m.bytes();
}

// A 48x48 binary PPM: a colour with a per-image gradient, so images differ.
std::string ppm(int r, int g, int b, int seed) {
  std::string bytes = "P6\n48 48\n255\n";
  for (int y = 0; y < 48; ++y)
    for (int x = 0; x < 48; ++x)
      bytes += {static_cast<char>((r + x * seed) & 255), static_cast<char>((g + y) & 255), static_cast<char>(b)};
  return bytes;
}

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

class KillEval : public ImportTest {};
FOGLINE_INSTANTIATE_BACKENDS(KillEval);

TEST_P(KillEval, KilledAtRandomMomentsLeavesMetricsWholeOrAbsent) {
  const std::string fogline = std::string(FOGLINE_BINARY_DIR) + "/fogline";
  ASSERT_TRUE(fs::exists(fogline)) << fogline << " is missing: this test runs the fogline binary (build the fogline target)";
  // 240 images in two classes and two cameras.
  const std::string data = dir_ + "/yard";
  for (int i = 0; i < 60; ++i) {
    for (const char* cam : {"cam1", "cam2"}) {
      write(data + "/a/" + cam + "/" + std::to_string(i) + ".ppm", ppm(200, 40, 30, i % 5));
      write(data + "/b/" + cam + "/" + std::to_string(i) + ".ppm", ppm(20, 60, 210, i % 7));
    }
  }
  write(dir_ + "/m.onnx", conv_classifier());
  auto run = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {fogline};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--home", home_options_.dir, "--db", db_url_});
    auto r = run_process(argv);
    EXPECT_TRUE(r.is_ok());
    return r.is_ok() ? *r : ProcessResult{};
  };
  auto imported = run({"model", "import", dir_ + "/m.onnx", "--name", "yardnet"});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  auto added = run({"data", "add", "yard", data, "--slice", "camera=folder:1"});
  ASSERT_EQ(added.exit_code, 0) << added.err;

  auto eval_argv = [&](const std::string& record_as) {
    return std::vector<std::string>{fogline, "eval", "yardnet@1", "yard", "--slice", "camera", "--threads", "1",
                                    "--dataset-name", record_as, "--home", home_options_.dir, "--db", db_url_};
  };
  // How long an uninterrupted evaluation takes: kills are spread over that span.
  ::unsetenv("FOGLINE_EVAL_TEST_PAUSE_MS");
  auto t0 = std::chrono::steady_clock::now();
  pid_t first = spawn(eval_argv("timing"));
  int status = 0;
  ASSERT_EQ(::waitpid(first, &status, 0), first);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "an uninterrupted eval failed";
  int span_ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count());
  auto reference = reg_->metrics("yardnet@1", "timing");
  ASSERT_TRUE(reference.is_ok()) << reference.status().to_string();
  ASSERT_EQ(reference->size(), 3u);  // overall, camera=cam1, camera=cam2

  unsigned seed = std::getenv("FOGLINE_TEST_SEED") ? static_cast<unsigned>(std::atoi(std::getenv("FOGLINE_TEST_SEED"))) : 20261125u;
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> delay_ms(0, span_ms * 13 / 10);
  int killed = 0, completed = 0, failed = 0;
  const int kRounds = 12;
  for (int round = 0; round < kRounds; ++round) {
    // Every third round pauses 300 ms inside the metrics transaction (after its first row),
    // and is killed right in that window.
    bool in_transaction = round % 3 == 2;
    ::setenv("FOGLINE_EVAL_TEST_PAUSE_MS", in_transaction ? "300" : "0", 1);
    pid_t pid = spawn(eval_argv("round-" + std::to_string(round)));
    ASSERT_GT(pid, 0);
    int wait_ms = in_transaction ? span_ms + 150 : delay_ms(rng);
    std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
    ::kill(pid, SIGKILL);
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) ++killed;
    else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) ++completed;
    else ++failed;
  }
  ::unsetenv("FOGLINE_EVAL_TEST_PAUSE_MS");
  std::printf("seed %u, eval span %d ms: %d evaluations killed, %d completed, %d failed\n", seed, span_ms, killed, completed, failed);
  EXPECT_GT(killed, 0);
  EXPECT_EQ(failed, 0);

  auto report = reg_->check_integrity(true);
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  for (const auto& p : report->problems) ADD_FAILURE() << p;

  // Each round's metrics: all three rows with the reference numbers and one history entry, or
  // nothing at all.
  auto history = reg_->history("yardnet@1");
  ASSERT_TRUE(history.is_ok());
  int whole = 0;
  for (int round = 0; round < kRounds; ++round) {
    std::string name = "round-" + std::to_string(round);
    auto rows = reg_->metrics("yardnet@1", name);
    ASSERT_TRUE(rows.is_ok()) << rows.status().to_string();
    int entries = 0;
    for (const auto& h : *history)
      if (h.kind == "evaluation" && h.detail.value("dataset", "") == name) ++entries;
    if (rows->empty()) {
      EXPECT_EQ(entries, 0) << name << ": a history entry without its metrics";
      continue;
    }
    ++whole;
    ASSERT_EQ(rows->size(), reference->size()) << name << " has partial metrics";
    EXPECT_EQ(entries, 1) << name;
    for (size_t i = 0; i < rows->size(); ++i) {
      EXPECT_EQ((*rows)[i].dataset_version, (*reference)[i].dataset_version) << name;
      EXPECT_EQ((*rows)[i].slice.slice_value, (*reference)[i].slice.slice_value) << name;
      EXPECT_EQ((*rows)[i].slice.metrics["accuracy"], (*reference)[i].slice.metrics["accuracy"]) << name;
    }
  }
  std::printf("%d of %d rounds recorded whole metrics, the rest none\n", whole, kRounds);
  EXPECT_LT(whole, kRounds);  // some kills landed before or inside the transaction

  // gc leaves no temporary file or work directory, and nothing the kills orphaned.
  auto gc = store::collect_garbage(*home_, {0, false});
  ASSERT_TRUE(gc.is_ok()) << gc.status().to_string();
  EXPECT_EQ(entries(home_->cas().temp_dir()), 0);
  EXPECT_EQ(entries(home_->work_root()), 0);

  // An uninterrupted evaluation still records, and `fogline model check` agrees.
  pid_t last = spawn(eval_argv("final"));
  ASSERT_EQ(::waitpid(last, &status, 0), last);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  auto final_rows = reg_->metrics("yardnet@1", "final");
  ASSERT_TRUE(final_rows.is_ok());
  EXPECT_EQ(final_rows->size(), reference->size());
  auto check = run({"model", "check", "--verify"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

}  // namespace
}  // namespace fogline::registry::testing
