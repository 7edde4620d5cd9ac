// fogline-onnx-tools: runs libonnx's checker, version converter and shape inference for
// `run_onnx_tools` (engine/onnx_tools_sandbox.h) in a process of its own, started fresh with
// posix_spawn. A fresh process, not a fork: forking the engine's process copies whatever lock
// another of its threads (OpenMP workers, HTTP handlers) held at that instant, and a child that
// then waits on it hangs forever. libonnx is not hardened against hostile models, so a crash
// here costs this process only; the parent sees which tool it was in.
//
// Protocol (engine/onnx_tools/protocol.h) on file descriptor 3: one request, one answer.
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>
#include <onnx/version_converter/convert.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

#include "engine/onnx_tools/protocol.h"

namespace {

using fogline::engine::onnx_tools::frame;
using fogline::engine::onnx_tools::Record;

constexpr int kSocket = 3;

void send(Record type, const std::string& bytes) {
  if (!fogline::engine::onnx_tools::write_all(kSocket, frame(type, bytes))) ::_exit(3);
}

// Initializers over this size travel back without their data; the parent restores them by name.
constexpr size_t kStripBytes = 4096;

void strip(onnx::TensorProto& t) {
  if (t.ByteSizeLong() <= kStripBytes || t.string_data_size() > 0) return;
  t.clear_raw_data();
  t.clear_float_data();
  t.clear_int32_data();
  t.clear_int64_data();
  t.clear_double_data();
  t.clear_uint64_data();
}

struct Request {
  bool check = true, infer_shapes = true;
  int convert_to_opset = 0;
  onnx::ModelProto model;
};

bool read_request(Request& request) {
  std::string data;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(kSocket, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  bool has_options = false, has_model = false;
  for (auto& m : fogline::engine::onnx_tools::unframe(data)) {
    if (m.type == Record::kOptions && m.bytes.size() == 6) {
      request.check = m.bytes[0] != 0;
      request.infer_shapes = m.bytes[1] != 0;
      std::memcpy(&request.convert_to_opset, m.bytes.data() + 2, 4);
      has_options = true;
    } else if (m.type == Record::kModel) {
      has_model = request.model.ParseFromString(m.bytes);
    }
  }
  return has_options && has_model;
}

int serve(Request& request) {
  onnx::ModelProto& model = request.model;
  if (request.check) {
    send(Record::kStage, "checker");
    try {
      onnx::checker::check_model(model);
    } catch (const std::exception& e) {
      send(Record::kError, std::string("the ONNX checker rejects the model: ") + e.what());
      return 0;
    }
  }
  if (request.convert_to_opset > 0) {
    send(Record::kStage, "version converter");
    try {
      onnx::ModelProto converted = onnx::version_conversion::ConvertVersion(model, request.convert_to_opset);
      model = std::move(converted);
      send(Record::kConverted, "");
    } catch (const std::exception& e) {
      send(Record::kWarning, "opset conversion to " + std::to_string(request.convert_to_opset) +
                                 " failed, running the original: " + e.what());
    }
  }
  if (request.infer_shapes) {
    send(Record::kStage, "shape inference");
    try {
      onnx::ShapeInferenceOptions si{false, 0, true};
      onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), si);
    } catch (const std::exception& e) {
      send(Record::kWarning, std::string("shape inference failed: ") + e.what());
    }
  }
  send(Record::kStage, "returning the model");
  for (auto& init : *model.mutable_graph()->mutable_initializer()) strip(init);
  send(Record::kModel, model.SerializeAsString());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Die with the process that asked (argv[1] is its pid): an orphaned helper must not linger
  // holding its parent's inherited descriptors open.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (argc != 2 || std::atol(argv[1]) != static_cast<long>(::getppid())) {
    std::fprintf(stderr, "fogline-onnx-tools is started by the Fogline engine, not by hand\n");
    return 2;
  }
  ::signal(SIGPIPE, SIG_IGN);
  Request request;
  if (!read_request(request)) {
    send(Record::kError, "fogline-onnx-tools received an incomplete request");
    return 0;
  }
  try {
    serve(request);
  } catch (...) {
    send(Record::kError, "libonnx failed with an unexpected exception");
  }
  // _exit: freeing a large model graph on the way out is wasted time.
  ::_exit(0);
}
