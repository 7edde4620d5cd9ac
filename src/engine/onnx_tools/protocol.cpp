#include "engine/onnx_tools/protocol.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace fogline::engine::onnx_tools {

std::string frame(Record type, const std::string& bytes) {
  std::string out(5, '\0');
  out[0] = static_cast<char>(type);
  uint32_t n = static_cast<uint32_t>(bytes.size());
  for (int i = 0; i < 4; ++i) out[1 + i] = static_cast<char>((n >> (8 * i)) & 0xff);
  out += bytes;
  return out;
}

std::vector<Message> unframe(const std::string& data) {
  std::vector<Message> out;
  size_t pos = 0;
  while (pos + 5 <= data.size()) {
    uint32_t n = 0;
    for (int i = 0; i < 4; ++i) n |= static_cast<uint32_t>(static_cast<unsigned char>(data[pos + 1 + i])) << (8 * i);
    if (data.size() - pos - 5 < n) break;
    out.push_back({static_cast<Record>(data[pos]), data.substr(pos + 5, n)});
    pos += 5 + n;
  }
  return out;
}

bool write_all(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    // send() with MSG_NOSIGNAL: a helper that died mid-request must not kill the engine's process.
    ssize_t w = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (w < 0 && errno == ENOTSOCK) w = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    done += static_cast<size_t>(w);
  }
  return true;
}

}  // namespace fogline::engine::onnx_tools
