// De-duplication by sequence number, the hub's half of exactly-once counting: the node sends
// at least once (a batch is resent until acknowledged), the hub counts each (queue id, seq)
// once. Kept here beside the format so both halves are tested together; the hub may hold one
// per node (its state is small: the floor and the sequence numbers seen above it).
#pragma once

#include <cstdint>
#include <set>
#include <string>

namespace fogline::telemetry {

class SequenceWindow {
 public:
  // A batch's floor_seq: forgets everything below (the node never sends it again). A new
  // queue_id (the node's data dir was wiped) starts a new sequence space.
  void advance(const std::string& queue_id, uint64_t floor_seq);
  // True the first time (queue_id, seq) is seen; false for a duplicate or a seq below the floor.
  bool accept(const std::string& queue_id, uint64_t seq);

  uint64_t floor() const { return floor_; }
  size_t tracked() const { return seen_.size(); }

 private:
  std::string queue_id_;
  uint64_t floor_ = 0;
  std::set<uint64_t> seen_;
};

}  // namespace fogline::telemetry
