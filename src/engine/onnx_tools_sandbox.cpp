#include "engine/onnx_tools_sandbox.h"

#include <onnx/onnx_pb.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>

#include "engine/onnx_tools/protocol.h"

extern char** environ;

namespace fogline::engine {
namespace {

using onnx_tools::Record;

struct ChildReport {
  std::string last_stage;
  std::vector<std::string> warnings;
  std::string error;
  bool converted = false;
  bool has_model = false;
  bool timed_out = false;
  std::string model_bytes;
  int signal = 0;
  int exit_code = 0;
};

// The helper beside the running program (where the build and `make install` put it), unless
// FOGLINE_ONNX_TOOLS names another.
Result<std::string> helper_path() {
  if (const char* env = std::getenv("FOGLINE_ONNX_TOOLS"); env && *env) {
    if (::access(env, X_OK) != 0) return not_found(std::string("FOGLINE_ONNX_TOOLS=") + env + " is not an executable file");
    return std::string(env);
  }
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return internal_error("cannot find the running program (/proc/self/exe): " + ec.message());
  std::string path = (self.parent_path() / "fogline-onnx-tools").string();
  if (::access(path.c_str(), X_OK) != 0)
    return not_found("libonnx's tools run in a helper program that is missing: " + path +
                     " (install fogline-onnx-tools beside " + self.filename().string() + " or set FOGLINE_ONNX_TOOLS)");
  return path;
}

std::string request_bytes(const onnx::ModelProto& model, const OnnxToolsOptions& options) {
  std::string o(6, '\0');
  o[0] = options.check ? 1 : 0;
  o[1] = options.infer_shapes ? 1 : 0;
  int32_t opset = options.convert_to_opset;
  std::memcpy(o.data() + 2, &opset, 4);
  return onnx_tools::frame(Record::kOptions, o) + onnx_tools::frame(Record::kModel, model.SerializeAsString());
}

// Reads until EOF or the deadline; false on the deadline.
bool read_until_eof(int fd, std::chrono::steady_clock::time_point deadline, std::string& data) {
  char buf[1 << 16];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (ready < 0 && errno != EINTR) return true;
    if (ready <= 0) continue;
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return true;
    data.append(buf, static_cast<size_t>(n));
  }
}

Result<ChildReport> run_child(const onnx::ModelProto& model, const OnnxToolsOptions& options) {
  FOGLINE_ASSIGN_OR_RETURN(std::string helper, helper_path());
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    return io_error(std::string("socketpair: ") + std::strerror(errno));
  // posix_spawn, not fork: see onnx_tools/main.cpp. The helper gets its end as descriptor 3
  // (dup2 clears close-on-exec), a clean signal mask and default dispositions.
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, sv[1], 3);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGINT);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::string parent = std::to_string(::getpid());
  char* argv[] = {helper.data(), parent.data(), nullptr};
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, helper.c_str(), &fa, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  ::close(sv[1]);
  if (rc != 0) {
    ::close(sv[0]);
    return resource_exhausted("cannot start " + helper + ": " + std::strerror(rc));
  }
  // The helper reads the whole request before it answers, so writing it all first cannot stall.
  bool sent = onnx_tools::write_all(sv[0], request_bytes(model, options));
  ::shutdown(sv[0], SHUT_WR);
  std::string data;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(options.timeout_seconds);
  ChildReport r;
  r.timed_out = sent && !read_until_eof(sv[0], deadline, data);
  ::close(sv[0]);
  if (r.timed_out || !sent) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  for (auto& m : onnx_tools::unframe(data)) {
    switch (m.type) {
      case Record::kStage: r.last_stage = m.bytes; break;
      case Record::kWarning: r.warnings.push_back(m.bytes); break;
      case Record::kError: r.error = m.bytes; break;
      case Record::kConverted: r.converted = true; break;
      case Record::kModel:
        r.has_model = true;
        r.model_bytes = std::move(m.bytes);
        break;
      case Record::kOptions: break;
    }
  }
  return r;
}

// Puts back the data of initializers the child stripped; false when one no longer matches.
bool restore_initializers(onnx::ModelProto& result, const onnx::ModelProto& original) {
  std::map<std::string, const onnx::TensorProto*> by_name;
  for (const auto& init : original.graph().initializer()) by_name[init.name()] = &init;
  for (auto& init : *result.mutable_graph()->mutable_initializer()) {
    auto it = by_name.find(init.name());
    bool empty = init.raw_data().empty() && init.float_data_size() == 0 && init.int32_data_size() == 0 &&
                 init.int64_data_size() == 0 && init.double_data_size() == 0 && init.uint64_data_size() == 0;
    int64_t elements = 1;
    for (int64_t d : init.dims()) elements *= d;
    if (!empty || elements == 0) continue;
    if (it == by_name.end()) return false;
    const onnx::TensorProto& src = *it->second;
    if (src.data_type() != init.data_type() || src.dims_size() != init.dims_size()) return false;
    for (int i = 0; i < src.dims_size(); ++i) {
      if (src.dims(i) != init.dims(i)) return false;
    }
    init = src;
  }
  return true;
}

}  // namespace

Result<OnnxToolsOutcome> run_onnx_tools(onnx::ModelProto& model, const OnnxToolsOptions& options) {
  FOGLINE_ASSIGN_OR_RETURN(ChildReport r, run_child(model, options));
  OnnxToolsOutcome out;
  out.warnings = r.warnings;
  if (!r.error.empty()) return invalid_argument(r.error);
  if (r.timed_out)
    return resource_exhausted("libonnx's " + (r.last_stage.empty() ? std::string("tools") : r.last_stage) +
                             " did not finish within " + std::to_string(options.timeout_seconds) + " s");
  if (!r.has_model) {
    std::string how = r.signal ? "crashed (signal " + std::to_string(r.signal) + ")"
                               : "stopped (exit code " + std::to_string(r.exit_code) + ")";
    if (r.last_stage == "version converter") {
      // The converter is the most fragile step; the engine runs every opset, so go on without it.
      OnnxToolsOptions again = options;
      again.convert_to_opset = 0;
      again.check = false;  // it passed already
      FOGLINE_ASSIGN_OR_RETURN(OnnxToolsOutcome retry, run_onnx_tools(model, again));
      retry.warnings.insert(retry.warnings.begin(),
                            "libonnx's version converter " + how + " on this model; running its original opset");
      return retry;
    }
    return invalid_argument("the model is malformed: libonnx's " +
                            (r.last_stage.empty() ? std::string("tools") : r.last_stage) + " " + how + " on it");
  }
  onnx::ModelProto result;
  if (!result.ParseFromString(r.model_bytes) || !restore_initializers(result, model)) {
    if (options.convert_to_opset > 0) {
      OnnxToolsOptions again = options;
      again.convert_to_opset = 0;
      again.check = false;
      FOGLINE_ASSIGN_OR_RETURN(OnnxToolsOutcome retry, run_onnx_tools(model, again));
      retry.warnings.insert(retry.warnings.begin(), "opset conversion changed an initializer; running the original opset");
      return retry;
    }
    return internal_error("libonnx's tools returned a model that does not match the original");
  }
  model = std::move(result);
  out.converted = r.converted;
  return out;
}

}  // namespace fogline::engine
