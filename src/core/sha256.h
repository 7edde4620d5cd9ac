// SHA-256 (libsodium) and hex: the names of content-addressed artifacts and the hashes that
// downloads, bundles and ledger records are checked against.
#pragma once

#include <sodium.h>

#include <string>
#include <string_view>

#include "core/status.h"

namespace fogline {

std::string to_hex(const void* bytes, size_t size);
inline std::string to_hex(std::string_view bytes) { return to_hex(bytes.data(), bytes.size()); }
// Decodes lower- or upper-case hex; names the first bad character.
Result<std::string> from_hex(std::string_view hex);

class Sha256 {
 public:
  Sha256();
  Sha256& update(const void* bytes, size_t size);
  Sha256& update(std::string_view bytes) { return update(bytes.data(), bytes.size()); }
  std::string finish_hex();  // 64 lower-case hex characters
  std::string finish_raw();  // 32 bytes

 private:
  crypto_hash_sha256_state state_;
};

std::string sha256_hex(std::string_view bytes);
// Streams the file; never holds it in memory.
Result<std::string> sha256_file_hex(const std::string& path);
// True for 64 lower-case hex characters.
bool is_sha256_hex(std::string_view text);

}  // namespace fogline
