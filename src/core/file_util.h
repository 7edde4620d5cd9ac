// Whole-file reads and atomic writes (temporary file, fsync, rename).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace fogline {

// Reads a whole file; refuses files larger than `max_bytes` with a message naming the file.
Result<std::string> read_file(const std::string& path, uint64_t max_bytes = (1ull << 34));

// Writes `bytes` to `path` atomically: a reader sees the old file or the new one, never half.
Status write_file_atomic(const std::string& path, const void* bytes, size_t size);
inline Status write_file_atomic(const std::string& path, const std::string& bytes) {
  return write_file_atomic(path, bytes.data(), bytes.size());
}

}  // namespace fogline
