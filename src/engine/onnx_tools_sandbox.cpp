#include "engine/onnx_tools_sandbox.h"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>
#include <onnx/version_converter/convert.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

namespace fogline::engine {
namespace {

// Records the child sends: a type byte, a 4-byte length, the bytes.
enum class Record : char { kStage = 'S', kWarning = 'W', kError = 'E', kConverted = 'C', kModel = 'M' };

void send(int fd, Record type, const std::string& bytes) {
  char header[5];
  header[0] = static_cast<char>(type);
  uint32_t n = static_cast<uint32_t>(bytes.size());
  std::memcpy(header + 1, &n, 4);
  std::string msg(header, 5);
  msg += bytes;
  size_t done = 0;
  while (done < msg.size()) {
    ssize_t w = ::write(fd, msg.data() + done, msg.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) ::_exit(3);
    done += static_cast<size_t>(w);
  }
}

// Initializers over this size travel back without their data; the parent restores it by name.
constexpr size_t kStripBytes = 4096;

bool strip(onnx::TensorProto& t) {
  if (t.ByteSizeLong() <= kStripBytes || t.string_data_size() > 0) return false;
  t.clear_raw_data();
  t.clear_float_data();
  t.clear_int32_data();
  t.clear_int64_data();
  t.clear_double_data();
  t.clear_uint64_data();
  return true;
}

[[noreturn]] void child_main(int fd, onnx::ModelProto& model, const OnnxToolsOptions& options) {
  try {
    if (options.check) {
      send(fd, Record::kStage, "checker");
      try {
        onnx::checker::check_model(model);
      } catch (const std::exception& e) {
        send(fd, Record::kError, std::string("the ONNX checker rejects the model: ") + e.what());
        ::_exit(0);
      }
    }
    if (options.convert_to_opset > 0) {
      send(fd, Record::kStage, "version converter");
      try {
        onnx::ModelProto converted = onnx::version_conversion::ConvertVersion(model, options.convert_to_opset);
        model = std::move(converted);
        send(fd, Record::kConverted, "");
      } catch (const std::exception& e) {
        send(fd, Record::kWarning, "opset conversion to " + std::to_string(options.convert_to_opset) +
                                       " failed, running the original: " + e.what());
      }
    }
    if (options.infer_shapes) {
      send(fd, Record::kStage, "shape inference");
      try {
        onnx::ShapeInferenceOptions si{false, 0, true};
        onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), si);
      } catch (const std::exception& e) {
        send(fd, Record::kWarning, std::string("shape inference failed: ") + e.what());
      }
    }
    send(fd, Record::kStage, "returning the model");
    for (auto& init : *model.mutable_graph()->mutable_initializer()) strip(init);
    send(fd, Record::kModel, model.SerializeAsString());
  } catch (...) {
    send(fd, Record::kError, "libonnx failed with an unexpected exception");
  }
  ::_exit(0);
}

struct ChildReport {
  std::string last_stage;
  std::vector<std::string> warnings;
  std::string error;
  bool converted = false;
  bool has_model = false;
  std::string model_bytes;
  int signal = 0;
  int exit_code = 0;
};

Result<ChildReport> run_child(onnx::ModelProto& model, const OnnxToolsOptions& options) {
  int fds[2];
  if (::pipe(fds) != 0) return io_error(std::string("pipe: ") + std::strerror(errno));
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return resource_exhausted(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::close(fds[0]);
    ::signal(SIGPIPE, SIG_IGN);
    child_main(fds[1], model, options);
  }
  ::close(fds[1]);
  std::string data;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fds[0], buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  ChildReport r;
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  size_t pos = 0;
  while (pos + 5 <= data.size()) {
    auto type = static_cast<Record>(data[pos]);
    uint32_t n;
    std::memcpy(&n, data.data() + pos + 1, 4);
    if (pos + 5 + n > data.size()) break;
    std::string bytes = data.substr(pos + 5, n);
    pos += 5 + n;
    switch (type) {
      case Record::kStage: r.last_stage = bytes; break;
      case Record::kWarning: r.warnings.push_back(bytes); break;
      case Record::kError: r.error = bytes; break;
      case Record::kConverted: r.converted = true; break;
      case Record::kModel:
        r.has_model = true;
        r.model_bytes = std::move(bytes);
        break;
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
