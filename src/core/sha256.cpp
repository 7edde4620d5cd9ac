#include "core/sha256.h"

#include <cstdio>
#include <cstring>
#include <memory>

namespace fogline {
namespace {

// libsodium's primitives need sodium_init() once per process; it is idempotent.
struct SodiumInit {
  SodiumInit() {
    if (sodium_init() < 0) std::abort();
  }
};
void ensure_sodium() { static SodiumInit init; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string to_hex(const void* bytes, size_t size) {
  static const char kDigits[] = "0123456789abcdef";
  const auto* p = static_cast<const unsigned char*>(bytes);
  std::string out(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[p[i] >> 4];
    out[2 * i + 1] = kDigits[p[i] & 15];
  }
  return out;
}

Result<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0)
    return invalid_argument("hex string has an odd length (" + std::to_string(hex.size()) + ")");
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = hex_value(hex[i]), lo = hex_value(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      size_t bad = hi < 0 ? i : i + 1;
      return invalid_argument("hex string has a non-hex character '" + std::string(1, hex[bad]) +
                              "' at offset " + std::to_string(bad));
    }
    out[i / 2] = static_cast<char>(hi * 16 + lo);
  }
  return out;
}

Sha256::Sha256() {
  ensure_sodium();
  crypto_hash_sha256_init(&state_);
}

Sha256& Sha256::update(const void* bytes, size_t size) {
  crypto_hash_sha256_update(&state_, static_cast<const unsigned char*>(bytes), size);
  return *this;
}

std::string Sha256::finish_raw() {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state_, digest);
  return std::string(reinterpret_cast<char*>(digest), sizeof digest);
}

std::string Sha256::finish_hex() { return to_hex(finish_raw()); }

std::string sha256_hex(std::string_view bytes) { return Sha256().update(bytes).finish_hex(); }

Result<std::string> sha256_file_hex(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return io_error("cannot open '" + path + "': " + std::strerror(errno));
  Sha256 hash;
  std::string buffer(1 << 20, '\0');
  size_t n;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), f.get())) > 0) hash.update(buffer.data(), n);
  if (std::ferror(f.get())) return io_error("reading '" + path + "' failed");
  return hash.finish_hex();
}

bool is_sha256_hex(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace fogline
