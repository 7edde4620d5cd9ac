// The canonical binary encoding of transactions and blocks (docs/formats/ledger.md): fixed-width
// big-endian integers, 32-byte keys and hashes, u32-length-prefixed byte strings. One encoding
// per value, so equal values hash and sign equally on every machine.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "core/status.h"

namespace fogline::ledger {

class Writer {
 public:
  void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u16(uint16_t v) { be(v, 2); }
  void u32(uint32_t v) { be(v, 4); }
  void u64(uint64_t v) { be(v, 8); }
  template <size_t N>
  void fixed(const std::array<unsigned char, N>& a) {
    out_.append(reinterpret_cast<const char*>(a.data()), N);
  }
  void raw(std::string_view bytes) { out_.append(bytes); }
  void bytes(std::string_view b) {
    u32(static_cast<uint32_t>(b.size()));
    out_.append(b);
  }
  std::string& str() { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void be(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  std::string out_;
};

// Reads what Writer wrote; every read names the field, so a malformed transaction says which
// field ran past the end instead of "decode error".
class Reader {
 public:
  explicit Reader(std::string_view in, std::string what = "input") : in_(in), what_(std::move(what)) {}
  Status u8(uint8_t& v, const char* field) {
    uint64_t x;
    FOGLINE_TRY(be(x, 1, field));
    v = static_cast<uint8_t>(x);
    return Status::ok();
  }
  Status u16(uint16_t& v, const char* field) {
    uint64_t x;
    FOGLINE_TRY(be(x, 2, field));
    v = static_cast<uint16_t>(x);
    return Status::ok();
  }
  Status u32(uint32_t& v, const char* field) {
    uint64_t x;
    FOGLINE_TRY(be(x, 4, field));
    v = static_cast<uint32_t>(x);
    return Status::ok();
  }
  Status u64(uint64_t& v, const char* field) { return be(v, 8, field); }
  template <size_t N>
  Status fixed(std::array<unsigned char, N>& a, const char* field) {
    FOGLINE_TRY(need(N, field));
    std::memcpy(a.data(), in_.data() + pos_, N);
    pos_ += N;
    return Status::ok();
  }
  Status raw(std::string_view& out, size_t n, const char* field) {
    FOGLINE_TRY(need(n, field));
    out = in_.substr(pos_, n);
    pos_ += n;
    return Status::ok();
  }
  Status bytes(std::string& out, const char* field, size_t max = 1 << 24) {
    uint32_t n;
    FOGLINE_TRY(u32(n, field));
    if (n > max)
      return invalid_argument(what_ + ": field '" + field + "' is " + std::to_string(n) + " bytes, more than " +
                              std::to_string(max));
    std::string_view v;
    FOGLINE_TRY(raw(v, n, field));
    out.assign(v);
    return Status::ok();
  }
  // Canonical encodings have no trailing bytes; anything left over is an error.
  Status finish() const {
    if (pos_ != in_.size())
      return invalid_argument(what_ + ": " + std::to_string(in_.size() - pos_) + " unexpected trailing bytes");
    return Status::ok();
  }
  size_t position() const { return pos_; }
  size_t remaining() const { return in_.size() - pos_; }

 private:
  Status need(size_t n, const char* field) const {
    if (in_.size() - pos_ < n)
      return invalid_argument(what_ + ": field '" + field + "' needs " + std::to_string(n) + " bytes at offset " +
                              std::to_string(pos_) + ", only " + std::to_string(in_.size() - pos_) + " left");
    return Status::ok();
  }
  Status be(uint64_t& v, int n, const char* field) {
    FOGLINE_TRY(need(n, field));
    v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(in_[pos_ + i]);
    pos_ += n;
    return Status::ok();
  }
  std::string_view in_;
  std::string what_;
  size_t pos_ = 0;
};

}  // namespace fogline::ledger
