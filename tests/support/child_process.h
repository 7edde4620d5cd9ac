// A child process for tests that run real programs (`fogline hub`, `fogline-node`, Prometheus):
// spawned with posix_spawn (safe in a test process that already runs threads, unlike fork),
// its first stdout line read with a deadline (a child that never prints must fail the test,
// not hang it), and stopped politely (SIGTERM, SIGKILL after a grace period) on destruction.
// Header-only: tests/support/ is on every test target's include path but no module's sources.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace fogline::testing_support {

// Where the child's output goes. stdout is a pipe for read_first_line() unless
// `stdout_to_log`; stderr is inherited (shown with the test's output) unless `log_file` is set.
struct SpawnOptions {
  std::string log_file;
  bool stdout_to_log = false;  // stdout and stderr both to log_file (a program that prints no URL)
  bool truncate_log = false;   // otherwise appended to, so a restarted process keeps the earlier log
};

class ChildProcess {
 public:
  ChildProcess() = default;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() { stop(); }

  // Starts `argv` (argv[0] is a path, not searched in $PATH). A running child is stopped first.
  // False, with error() saying why, when it could not be started.
  bool spawn(std::vector<std::string> argv, const SpawnOptions& options = {}) {
    stop();
    error_.clear();
    if (argv.empty()) return fail("no program given");
    bool pipe_stdout = !(options.stdout_to_log && !options.log_file.empty());
    int out[2] = {-1, -1};
    if (pipe_stdout && pipe2(out, O_CLOEXEC) != 0) return fail("pipe failed: " + std::string(std::strerror(errno)));
    int flags = O_WRONLY | O_CREAT | (options.truncate_log ? O_TRUNC : O_APPEND);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (pipe_stdout) posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
    if (!options.log_file.empty()) {
      posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, options.log_file.c_str(), flags, 0644);
      if (!pipe_stdout) posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO, STDOUT_FILENO);
    }
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    // A process group of its own, so that stopping the child also stops whatever it started
    // (the engine's fogline-onnx-tools helper): a grandchild left holding ctest's output pipe
    // makes ctest wait for it until the test's timeout.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    int rc = posix_spawn(&pid_, args[0], &fa, &attr, args.data(), environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    if (pipe_stdout) close(out[1]);
    if (rc != 0) {
      if (pipe_stdout) close(out[0]);
      pid_ = -1;
      return fail("cannot start " + argv[0] + ": " + std::strerror(rc));
    }
    stdout_fd_ = pipe_stdout ? out[0] : -1;
    return true;
  }

  // The first stdout line, without its newline; nullopt (error() says why, with what was read)
  // when stdout closed or `timeout` passed first. The pipe is closed afterwards, as these
  // programs print one line there and log to stderr.
  std::optional<std::string> read_first_line(std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    if (stdout_fd_ < 0) {
      fail("no stdout pipe to read");
      return std::nullopt;
    }
    std::string text;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    bool closed = false;
    while (text.find('\n') == std::string::npos && !closed) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{stdout_fd_, POLLIN, 0};
      int ready = poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 200)));
      if (ready < 0 && errno != EINTR) break;
      if (ready <= 0) continue;
      char buf[256];
      ssize_t n = read(stdout_fd_, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) closed = true;
      else text.append(buf, static_cast<size_t>(n));
    }
    close(stdout_fd_);
    stdout_fd_ = -1;
    size_t newline = text.find('\n');
    if (newline == std::string::npos) {
      fail(std::string(closed ? "stdout closed" : "timed out") + " before a first line (stdout: '" + text + "')");
      return std::nullopt;
    }
    return text.substr(0, newline);
  }

  // spawn() and read_first_line(), which must start with `prefix`; the rest of the line (a
  // URL, say). nullopt with error() saying why (the child is then stopped).
  std::optional<std::string> start_and_read(std::vector<std::string> argv, const std::string& prefix,
                                            const SpawnOptions& options = {},
                                            std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    std::string program = argv.empty() ? "" : argv[0];
    if (!spawn(std::move(argv), options)) return std::nullopt;
    auto line = read_first_line(timeout);
    if (line && line->rfind(prefix, 0) == 0) return line->substr(prefix.size());
    if (line) fail(program + " printed '" + *line + "', expected '" + prefix + "...'");
    else error_ = program + ": " + error_;
    stop();
    return std::nullopt;
  }

  // SIGTERM, then SIGKILL after `grace`; the status as waitpid gives it (-1 if not running).
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(5)) {
    close_stdout();
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + grace;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        ::kill(-pid_, SIGKILL);  // what it started and left behind
        pid_ = -1;
        return status;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return kill_now();
  }

  // SIGKILL at once (a process that dies without a word); the waitpid status, -1 if not running.
  int kill_now() {
    close_stdout();
    if (pid_ <= 0) return -1;
    ::kill(-pid_, SIGKILL);  // the child's whole process group
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return status;
  }

  // Sends `sig` without waiting (SIGHUP to reload; SIGTERM to several before stop()ping each).
  void signal(int sig) const {
    if (pid_ > 0) ::kill(pid_, sig);
  }

  // False once the child has exited (it is then reaped).
  bool alive() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      close_stdout();
      return false;
    }
    return true;
  }

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  const std::string& error() const { return error_; }

 private:
  bool fail(std::string why) {
    error_ = std::move(why);
    return false;
  }
  void close_stdout() {
    if (stdout_fd_ >= 0) close(stdout_fd_);
    stdout_fd_ = -1;
  }

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string error_;
};

}  // namespace fogline::testing_support
