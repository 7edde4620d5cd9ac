// What `run_onnx_tools` and its helper process (`fogline-onnx-tools`) say to each other over one
// socket: records of a type byte, a 4-byte little-endian length and that many bytes. The parent
// sends kOptions then kModel; the helper answers with kStage before each tool (so a crash names
// the tool it happened in), kWarning/kError/kConverted as they arise, and kModel last.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fogline::engine::onnx_tools {

enum class Record : char {
  kOptions = 'O',  // check (1 byte), infer_shapes (1 byte), convert_to_opset (int32)
  kModel = 'M',    // a serialised onnx.ModelProto
  kStage = 'S',
  kWarning = 'W',
  kError = 'E',
  kConverted = 'C',
};

struct Message {
  Record type;
  std::string bytes;
};

// One record's wire form.
std::string frame(Record type, const std::string& bytes);

// The complete records at the front of `data`; a torn last record (the writer died) is left out.
std::vector<Message> unframe(const std::string& data);

// Writes all of `bytes` to a socket or pipe; false when the other end is gone. Never raises
// SIGPIPE.
bool write_all(int fd, const std::string& bytes);

}  // namespace fogline::engine::onnx_tools
