// The rented model's inference counter on disk, durable and monotonic: a crash (kill -9, power
// loss) must never reset it, or a node would serve beyond what was prepaid and sign reports
// the ledger refuses as a counter gone down. Two fixed 64-byte slots, written alternately with
// pwrite + fdatasync, each with a generation and a CRC-32; the valid slot with the higher
// generation wins. A torn write can only damage the slot being written, so the other still
// holds the previous state. A file with no valid slot is refused, never read as zero.
//
// Slot, big-endian: "FGLRENT1" | generation u64 | inferences u64 | sequence u64 |
//                   rental id prefix [16] | zero [12] | crc32 u32 (of the 60 bytes before)
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"

namespace fogline::node::rental {

struct CounterState {
  uint64_t inferences = 0;  // successful inferences of the rented model, cumulative
  uint64_t sequence = 0;    // the last usage report's sequence number (0: none yet)
};

class UsageCounterFile {
 public:
  // Opens (creating when absent) the counter of rental `rental_hex` at `path`.
  static Result<UsageCounterFile> open(const std::string& path, const std::string& rental_hex);
  UsageCounterFile(UsageCounterFile&& other) noexcept;
  UsageCounterFile& operator=(UsageCounterFile&&) = delete;
  UsageCounterFile(const UsageCounterFile&) = delete;
  ~UsageCounterFile();

  const CounterState& state() const { return state_; }
  // Writes `next` durably (returns once fdatasync did); the counter may not go down.
  Status store(const CounterState& next);

 private:
  UsageCounterFile(int fd, std::string path, std::string rental_prefix) : fd_(fd), path_(std::move(path)), prefix_(std::move(rental_prefix)) {}
  int fd_ = -1;
  std::string path_, prefix_;
  uint64_t generation_ = 0;
  CounterState state_;
};

}  // namespace fogline::node::rental
