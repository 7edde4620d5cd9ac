// One step of the telemetry sending loop: peek a batch (up to N records / B bytes), compress
// it, wait for the bandwidth budget, hand it to the transport, record the link diagnostics,
// and remove the records only when the hub answered 2xx. A failed or unanswered batch is sent
// again later, whole or partly, with the same sequence numbers (at least once; the hub's
// SequenceWindow makes the counts exact).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/status.h"
#include "node/telemetry/clock.h"
#include "node/telemetry/link_stats.h"
#include "node/telemetry/telemetry_queue.h"
#include "node/telemetry/token_bucket.h"

namespace fogline::telemetry {

// Sends the compressed batch (Content-Type application/json, Content-Encoding zstd) and says
// how it went. The agent's transport signs the request (docs/formats/node-auth.md);
// http_transport below is the unsigned one used by tests and tools.
using Transport = std::function<Attempt(const std::string& compressed_batch)>;

Transport http_transport(const std::string& host, int port, const std::string& path,
                         double timeout_seconds = 10);

struct SenderOptions {
  size_t max_records = 500;
  uint64_t max_bytes = 256 * 1024;  // uncompressed kind+body bytes per batch
  int zstd_level = 3;
};

struct SendOutcome {
  size_t records = 0;          // in the batch (0: nothing to send)
  uint64_t compressed_bytes = 0;
  bool acknowledged = false;
  int64_t waited_ns = 0;       // for the bandwidth budget
};

class TelemetrySender {
 public:
  TelemetrySender(TelemetryQueue& queue, TokenBucket& budget, LinkStats& link, std::string node_id,
                  Transport transport, SenderOptions options = {});

  Result<SendOutcome> send_once();

 private:
  TelemetryQueue& queue_;
  TokenBucket& budget_;
  LinkStats& link_;
  std::string node_id_;
  Transport transport_;
  SenderOptions options_;
  DropCounts reported_;  // drop counters the hub acknowledged
  bool reported_once_ = false;
};

}  // namespace fogline::telemetry
