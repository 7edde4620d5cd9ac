// The node's bounded on-disk telemetry queue (format: docs/formats/telemetry.md, "Queue").
//
// Records go to one append-only log per priority (DIR/high, DIR/normal, DIR/low), each a row
// of segment files of length+CRC32 frames. A record is durable when append() returns
// (fdatasync per append unless QueueOptions::sync_every_append is off). Reopening after a
// kill -9 or power loss re-reads every segment: a torn or zero-filled tail fails its length or
// CRC check and is truncated, never misread. DIR/state.json (written atomically) keeps the
// queue id, the next sequence number, each log's head (the lowest live sequence) and the drop
// counters.
//
// Removal is always a prefix of one log: acknowledged records (the hub confirmed the batch)
// and drops (oldest first when the byte bound is hit: low, then normal, then high). So a head
// sequence per log is all the state removal needs, and whole segments below it are unlinked.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "node/telemetry/record.h"

namespace fogline::telemetry {

struct QueueOptions {
  // Bound on the live records' framed bytes. Disk use stays below max_bytes plus three
  // segments (the dead prefix of each log's oldest segment).
  uint64_t max_bytes = 16ull << 20;
  // A log starts a new segment file after this many bytes (capped at max_bytes / 8).
  uint64_t segment_bytes = 1ull << 20;
  // fdatasync after every append. Off: the OS writes back (a kill -9 loses nothing, a power
  // cut may lose the last seconds); sync() forces it.
  bool sync_every_append = true;
};

// Per priority: every live record with seq <= up_to[p] may be removed (0 = none).
struct AckPoint {
  std::array<uint64_t, kPriorityCount> up_to{};
};

struct PendingBatch {
  std::vector<Record> records;  // high first, then normal, then low; each in sequence order
  AckPoint ack;
  uint64_t bytes = 0;           // sum of the records' kind and body sizes
};

struct AppendResult {
  uint64_t seq = 0;
  bool stored = true;  // false: the queue was full of higher-priority data; counted as dropped
};

class TelemetryQueue {
 public:
  static Result<std::unique_ptr<TelemetryQueue>> open(const std::string& dir,
                                                      QueueOptions options = {});
  ~TelemetryQueue();
  TelemetryQueue(const TelemetryQueue&) = delete;
  TelemetryQueue& operator=(const TelemetryQueue&) = delete;

  // Thread-safe. `body` is JSON text (the batch embeds it as JSON).
  Result<AppendResult> append(Priority priority, const std::string& kind, const std::string& body,
                              int64_t time_ms);

  // The oldest records, high priority first: at most `max_records`, and at most `max_bytes`
  // of kind+body (but always one record if any is queued). Nothing is removed.
  Result<PendingBatch> peek(size_t max_records, uint64_t max_bytes);

  // The hub confirmed a batch: remove what it covered.
  Status ack(const AckPoint& point);

  Status sync();

  const std::string& queue_id() const { return queue_id_; }
  DropCounts dropped() const;
  // The lowest sequence still queued (next_seq when empty): the node never sends anything
  // below it again, so the hub may forget those sequence numbers.
  uint64_t floor_seq() const;
  uint64_t next_seq() const;
  uint64_t live_bytes() const;
  size_t size(Priority p) const;
  size_t size() const;

 private:
  struct Entry {
    uint64_t seq;
    uint64_t segment;  // segment number within its log
    uint64_t offset;   // of the frame
    uint32_t frame_size;
  };
  struct Segment {
    uint64_t number;
    uint64_t size;
  };
  struct Log {
    std::string dir;
    std::deque<Segment> segments;  // oldest first; the last one is appended to
    std::deque<Entry> entries;     // live records, oldest first
    uint64_t head = 0;             // records below this are removed
    uint64_t live_bytes = 0;
    int fd = -1;                   // the last segment, O_APPEND
  };

  TelemetryQueue(std::string dir, QueueOptions options);
  Status load();
  Status load_log(Priority p);
  Status open_active_segment(Log& log, bool create_new);
  Status save_state();
  void drop_front(Priority p, uint64_t* freed);
  Status remove_dead_segments(Log& log);
  std::string segment_path(const Log& log, uint64_t number) const;
  uint64_t floor_seq_locked() const;

  std::string dir_;
  QueueOptions options_;
  std::string queue_id_;
  uint64_t next_seq_ = 1;
  std::array<Log, kPriorityCount> logs_;
  DropCounts dropped_;
  mutable std::mutex mu_;
};

}  // namespace fogline::telemetry
