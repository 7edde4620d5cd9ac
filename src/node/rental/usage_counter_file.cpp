#include "node/rental/usage_counter_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/sha256.h"
#include "node/telemetry/crc32.h"

namespace fogline::node::rental {

namespace {

constexpr size_t kSlot = 64;
constexpr char kSlotMagic[8] = {'F', 'G', 'L', 'R', 'E', 'N', 'T', '1'};

void put_be64(unsigned char* p, uint64_t v) {
  for (int i = 7; i >= 0; --i) *p++ = static_cast<unsigned char>(v >> (8 * i));
}
uint64_t get_be64(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

struct Slot {
  bool valid = false;
  uint64_t generation = 0;
  CounterState state;
  std::string prefix;
};

Slot decode_slot(const unsigned char* p) {
  Slot s;
  if (std::memcmp(p, kSlotMagic, 8) != 0) return s;
  uint32_t crc = static_cast<uint32_t>(get_be64(p + 56) & 0xffffffffu);
  if (crc != telemetry::crc32(p, 60)) return s;
  s.valid = true;
  s.generation = get_be64(p + 8);
  s.state.inferences = get_be64(p + 16);
  s.state.sequence = get_be64(p + 24);
  s.prefix.assign(reinterpret_cast<const char*>(p + 32), 16);
  return s;
}

std::string errno_text() { return std::strerror(errno); }

}  // namespace

Result<UsageCounterFile> UsageCounterFile::open(const std::string& path, const std::string& rental_hex) {
  auto id = from_hex(rental_hex);
  if (!id.is_ok() || id->size() < 16) return invalid_argument("usage counter " + path + ": bad rental id " + rental_hex);
  std::string prefix = id->substr(0, 16);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("cannot open the usage counter " + path + ": " + errno_text());
  UsageCounterFile f(fd, path, prefix);
  unsigned char buf[2 * kSlot] = {};
  ssize_t n = ::pread(fd, buf, sizeof buf, 0);
  if (n < 0) return io_error("cannot read the usage counter " + path + ": " + errno_text());
  if (n == 0) {
    // Empty: new, or created and then a crash before its first store, which comes before any
    // inference is admitted, so zero is the true count either way.
    FOGLINE_TRY(f.store(CounterState{}));
    // The new file's directory entry must survive a crash too.
    std::string dir = path.substr(0, path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/'));
    int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      ::fsync(dfd);
      ::close(dfd);
    }
    return f;
  }
  Slot a = n >= static_cast<ssize_t>(kSlot) ? decode_slot(buf) : Slot{};
  Slot b = n >= static_cast<ssize_t>(2 * kSlot) ? decode_slot(buf + kSlot) : Slot{};
  if (!a.valid && !b.valid)
    return io_error("usage counter " + path + " holds no valid slot (" + std::to_string(n) +
                    " bytes, damaged): refusing to restart the count from zero; restore it or settle and start a new rental");
  const Slot& best = !b.valid || (a.valid && a.generation > b.generation) ? a : b;
  if (best.prefix != prefix)
    return invalid_argument("usage counter " + path + " belongs to another rental (id starting " + to_hex(best.prefix) +
                            "), not " + rental_hex);
  f.generation_ = best.generation;
  f.state_ = best.state;
  return f;
}

UsageCounterFile::UsageCounterFile(UsageCounterFile&& other) noexcept
    : fd_(other.fd_), path_(std::move(other.path_)), prefix_(std::move(other.prefix_)), generation_(other.generation_),
      state_(other.state_) {
  other.fd_ = -1;
}

UsageCounterFile::~UsageCounterFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status UsageCounterFile::store(const CounterState& next) {
  if (next.inferences < state_.inferences || next.sequence < state_.sequence)
    return invalid_argument("usage counter " + path_ + " may not go down");
  unsigned char slot[kSlot] = {};
  uint64_t generation = generation_ + 1;
  std::memcpy(slot, kSlotMagic, 8);
  put_be64(slot + 8, generation);
  put_be64(slot + 16, next.inferences);
  put_be64(slot + 24, next.sequence);
  std::memcpy(slot + 32, prefix_.data(), 16);
  put_be64(slot + 56, telemetry::crc32(slot, 60));
  off_t at = static_cast<off_t>((generation % 2) * kSlot);
  if (::pwrite(fd_, slot, kSlot, at) != static_cast<ssize_t>(kSlot))
    return io_error("cannot write the usage counter " + path_ + ": " + errno_text());
  if (::fdatasync(fd_) != 0) return io_error("cannot sync the usage counter " + path_ + ": " + errno_text());
  generation_ = generation;
  state_ = next;
  return Status::ok();
}

}  // namespace fogline::node::rental
