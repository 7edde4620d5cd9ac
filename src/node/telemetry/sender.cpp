#include "node/telemetry/sender.h"

#include <chrono>

#include <httplib.h>

#include "node/telemetry/batch.h"

namespace fogline::telemetry {
namespace {

bool same_counts(const DropCounts& a, const DropCounts& b) {
  return a.records == b.records && a.bytes == b.bytes && a.torn_bytes == b.torn_bytes;
}

}  // namespace

Transport http_transport(const std::string& host, int port, const std::string& path,
                         double timeout_seconds) {
  return [=](const std::string& body) {
    Attempt a;
    httplib::Client client(host, port);
    auto usec = static_cast<int64_t>(timeout_seconds * 1e6);
    client.set_connection_timeout(0, usec);
    client.set_read_timeout(0, usec);
    client.set_write_timeout(0, usec);
    httplib::Headers headers = {{"Content-Encoding", "zstd"}};
    auto start = std::chrono::steady_clock::now();
    auto res = client.Post(path.c_str(), headers, body, "application/json");
    a.rtt_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    a.time_ms = unix_time_ms();
    a.bytes_up = body.size();
    if (!res) return a;
    a.connected = true;
    a.http_status = res->status;
    a.bytes_down = res->body.size();
    return a;
  };
}

TelemetrySender::TelemetrySender(TelemetryQueue& queue, TokenBucket& budget, LinkStats& link,
                                 std::string node_id, Transport transport, SenderOptions options)
    : queue_(queue),
      budget_(budget),
      link_(link),
      node_id_(std::move(node_id)),
      transport_(std::move(transport)),
      options_(options) {}

Result<SendOutcome> TelemetrySender::send_once() {
  SendOutcome out;
  BatchHeader header;
  header.node_id = node_id_;
  header.queue_id = queue_.queue_id();
  // The floor before the peek: it is then at most every sequence in the batch, even if the
  // bound drops some of them meanwhile.
  header.floor_seq = queue_.floor_seq();
  FOGLINE_ASSIGN_OR_RETURN(PendingBatch pending, queue_.peek(options_.max_records, options_.max_bytes));
  header.dropped = queue_.dropped();
  // An empty batch still goes out when the drop counters changed, so a loss is reported even
  // when nothing else is queued.
  if (pending.records.empty() && reported_once_ && same_counts(header.dropped, reported_)) return out;
  if (pending.records.empty() && !header.dropped.any()) return out;
  header.sent_ms = unix_time_ms();
  FOGLINE_ASSIGN_OR_RETURN(std::string body, encode_batch(header, pending.records, options_.zstd_level));
  out.records = pending.records.size();
  out.compressed_bytes = body.size();
  out.waited_ns = budget_.consume(body.size());
  Attempt attempt = transport_(body);
  link_.record(attempt);
  if (!attempt_succeeded(attempt)) return out;
  out.acknowledged = true;
  reported_ = header.dropped;
  reported_once_ = true;
  FOGLINE_TRY(queue_.ack(pending.ack));
  return out;
}

}  // namespace fogline::telemetry
