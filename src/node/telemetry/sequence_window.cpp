#include "node/telemetry/sequence_window.h"

namespace fogline::telemetry {

void SequenceWindow::advance(const std::string& queue_id, uint64_t floor_seq) {
  if (queue_id != queue_id_) {
    queue_id_ = queue_id;
    floor_ = 0;
    seen_.clear();
  }
  if (floor_seq <= floor_) return;
  floor_ = floor_seq;
  seen_.erase(seen_.begin(), seen_.lower_bound(floor_));
}

bool SequenceWindow::accept(const std::string& queue_id, uint64_t seq) {
  if (queue_id != queue_id_) advance(queue_id, 0);
  if (seq < floor_) return false;
  return seen_.insert(seq).second;
}

}  // namespace fogline::telemetry
