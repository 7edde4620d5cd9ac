#include "node/telemetry/telemetry_queue.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>

#include <nlohmann/json.hpp>

#include "core/file_util.h"
#include "node/telemetry/crc32.h"

namespace fogline::telemetry {
namespace {

namespace fs = std::filesystem;

constexpr uint32_t kFrameHeader = 8;                 // u32 payload length, u32 CRC-32
constexpr uint32_t kPayloadFixed = 8 + 8 + 1 + 2;    // seq, time_ms, priority, kind length
constexpr uint32_t kMaxPayload = 4u << 20;           // larger lengths are damage, not records
constexpr const char* kSegmentSuffix = ".seg";

void put_u16(std::string& out, uint16_t v) {
  for (int i = 0; i < 2; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
uint64_t get_le(const unsigned char* p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

std::string encode_frame(const Record& r) {
  std::string payload;
  payload.reserve(kPayloadFixed + r.kind.size() + r.body.size());
  put_u64(payload, r.seq);
  put_u64(payload, static_cast<uint64_t>(r.time_ms));
  payload.push_back(static_cast<char>(r.priority));
  put_u16(payload, static_cast<uint16_t>(r.kind.size()));
  payload += r.kind;
  payload += r.body;
  std::string frame;
  frame.reserve(kFrameHeader + payload.size());
  put_u32(frame, static_cast<uint32_t>(payload.size()));
  put_u32(frame, crc32(payload.data(), payload.size()));
  frame += payload;
  return frame;
}

// Parses the frame at `data[offset]`; false when it is torn, damaged or not a record.
bool decode_frame(const std::string& data, uint64_t offset, Record* out, uint32_t* frame_size) {
  if (data.size() - offset < kFrameHeader) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(data.data()) + offset;
  auto len = static_cast<uint32_t>(get_le(p, 4));
  auto crc = static_cast<uint32_t>(get_le(p + 4, 4));
  if (len < kPayloadFixed || len > kMaxPayload) return false;
  if (data.size() - offset - kFrameHeader < len) return false;
  const unsigned char* payload = p + kFrameHeader;
  if (crc32(payload, len) != crc) return false;
  uint16_t kind_len = static_cast<uint16_t>(get_le(payload + 17, 2));
  if (kPayloadFixed + kind_len > len || payload[16] >= kPriorityCount) return false;
  out->seq = get_le(payload, 8);
  out->time_ms = static_cast<int64_t>(get_le(payload + 8, 8));
  out->priority = static_cast<Priority>(payload[16]);
  out->kind.assign(reinterpret_cast<const char*>(payload + kPayloadFixed), kind_len);
  out->body.assign(reinterpret_cast<const char*>(payload + kPayloadFixed + kind_len),
                   len - kPayloadFixed - kind_len);
  *frame_size = kFrameHeader + len;
  return true;
}

Status errno_status(const std::string& what, const std::string& path) {
  return io_error(what + " " + path + ": " + std::strerror(errno));
}

Status sync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return errno_status("opening directory", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return errno_status("syncing directory", dir);
  return Status::ok();
}

std::string random_queue_id() {
  std::random_device rd;
  uint64_t v = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

TelemetryQueue::TelemetryQueue(std::string dir, QueueOptions options)
    : dir_(std::move(dir)), options_(options) {
  options_.segment_bytes =
      std::max<uint64_t>(4096, std::min(options_.segment_bytes, options_.max_bytes / 8));
  for (int p = 0; p < kPriorityCount; ++p)
    logs_[p].dir = dir_ + "/" + priority_name(static_cast<Priority>(p));
}

TelemetryQueue::~TelemetryQueue() {
  for (auto& log : logs_)
    if (log.fd >= 0) ::close(log.fd);
}

Result<std::unique_ptr<TelemetryQueue>> TelemetryQueue::open(const std::string& dir,
                                                             QueueOptions options) {
  if (options.max_bytes < 4096)
    return invalid_argument("telemetry queue " + dir + ": max_bytes " +
                            std::to_string(options.max_bytes) + " is below the minimum 4096");
  std::unique_ptr<TelemetryQueue> q(new TelemetryQueue(dir, options));
  FOGLINE_TRY(q->load().with_context("opening telemetry queue " + dir));
  return q;
}

std::string TelemetryQueue::segment_path(const Log& log, uint64_t number) const {
  char name[32];
  std::snprintf(name, sizeof name, "%016llu%s", static_cast<unsigned long long>(number),
                kSegmentSuffix);
  return log.dir + "/" + name;
}

Status TelemetryQueue::load() {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return io_error("creating " + dir_ + ": " + ec.message());
  std::string state_path = dir_ + "/state.json";
  bool fresh = !fs::exists(state_path);
  if (fresh) {
    queue_id_ = random_queue_id();
  } else {
    FOGLINE_ASSIGN_OR_RETURN(std::string text, read_file(state_path, 1 << 20));
    try {
      auto j = nlohmann::json::parse(text);
      if (j.value("version", 0) != 1)
        return invalid_argument(state_path + ": version " + j.value("version", nlohmann::json()).dump() +
                                ", expected 1");
      queue_id_ = j.at("queue_id").get<std::string>();
      next_seq_ = j.at("next_seq").get<uint64_t>();
      for (int p = 0; p < kPriorityCount; ++p) {
        const char* name = priority_name(static_cast<Priority>(p));
        logs_[p].head = j.at("head").at(name).get<uint64_t>();
        dropped_.records[p] = j.at("dropped").at(name).at("records").get<uint64_t>();
        dropped_.bytes[p] = j.at("dropped").at(name).at("bytes").get<uint64_t>();
      }
      dropped_.torn_bytes = j.at("dropped").value("torn_bytes", uint64_t{0});
    } catch (const std::exception& e) {
      return invalid_argument(state_path + ": " + e.what());
    }
  }
  for (int p = 0; p < kPriorityCount; ++p) FOGLINE_TRY(load_log(static_cast<Priority>(p)));
  FOGLINE_TRY(save_state());
  return Status::ok();
}

Status TelemetryQueue::load_log(Priority p) {
  Log& log = logs_[static_cast<int>(p)];
  std::error_code ec;
  fs::create_directories(log.dir, ec);
  if (ec) return io_error("creating " + log.dir + ": " + ec.message());
  std::vector<uint64_t> numbers;
  for (const auto& entry : fs::directory_iterator(log.dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.size() != 16 + 4 || name.substr(16) != kSegmentSuffix) continue;
    numbers.push_back(std::stoull(name.substr(0, 16)));
  }
  if (ec) return io_error("listing " + log.dir + ": " + ec.message());
  std::sort(numbers.begin(), numbers.end());
  uint64_t last_seq = 0;
  for (uint64_t number : numbers) {
    std::string path = segment_path(log, number);
    FOGLINE_ASSIGN_OR_RETURN(std::string data, read_file(path));
    uint64_t offset = 0;
    Record r;
    uint32_t frame_size = 0;
    while (offset < data.size() && decode_frame(data, offset, &r, &frame_size)) {
      if (r.seq <= last_seq || r.priority != p) break;  // out of order: damage, stop here
      last_seq = r.seq;
      next_seq_ = std::max(next_seq_, r.seq + 1);
      if (r.seq >= log.head) {
        log.entries.push_back(Entry{r.seq, number, offset, frame_size});
        log.live_bytes += frame_size;
      }
      offset += frame_size;
    }
    if (offset < data.size()) {
      // A torn tail (crash mid-write) or damage: cut it so appends continue after the last
      // whole record, and count the bytes so the loss is reported.
      if (::truncate(path.c_str(), static_cast<off_t>(offset)) != 0)
        return errno_status("truncating", path);
      dropped_.torn_bytes += data.size() - offset;
    }
    log.segments.push_back(Segment{number, offset});
  }
  FOGLINE_TRY(remove_dead_segments(log));
  return open_active_segment(log, log.segments.empty());
}

Status TelemetryQueue::open_active_segment(Log& log, bool create_new) {
  if (log.fd >= 0) {
    ::close(log.fd);
    log.fd = -1;
  }
  if (create_new) {
    uint64_t number = log.segments.empty() ? 1 : log.segments.back().number + 1;
    log.segments.push_back(Segment{number, 0});
  }
  std::string path = segment_path(log, log.segments.back().number);
  log.fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log.fd < 0) return errno_status("opening", path);
  // The new file's directory entry must be durable too, or a synced record could vanish with it.
  if (create_new && options_.sync_every_append) FOGLINE_TRY(sync_dir(log.dir));
  return Status::ok();
}

Status TelemetryQueue::remove_dead_segments(Log& log) {
  // Every segment before the one holding the oldest live record is dead; the active (last)
  // segment stays.
  uint64_t keep_from = log.entries.empty() ? log.segments.empty() ? 0 : log.segments.back().number
                                           : log.entries.front().segment;
  while (log.segments.size() > 1 && log.segments.front().number < keep_from) {
    std::string path = segment_path(log, log.segments.front().number);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return errno_status("removing", path);
    log.segments.pop_front();
  }
  // A log with nothing live starts a fresh segment, so an emptied log holds no dead bytes.
  if (log.entries.empty() && !log.segments.empty() && log.segments.back().size > 0 && log.fd >= 0) {
    uint64_t old = log.segments.back().number;
    FOGLINE_TRY(open_active_segment(log, /*create_new=*/true));
    std::string path = segment_path(log, old);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return errno_status("removing", path);
    log.segments.pop_front();
  }
  return Status::ok();
}

Status TelemetryQueue::save_state() {
  nlohmann::json j;
  j["version"] = 1;
  j["queue_id"] = queue_id_;
  j["next_seq"] = next_seq_;
  for (int p = 0; p < kPriorityCount; ++p) {
    const char* name = priority_name(static_cast<Priority>(p));
    j["head"][name] = logs_[p].head;
    j["dropped"][name] = {{"records", dropped_.records[p]}, {"bytes", dropped_.bytes[p]}};
  }
  j["dropped"]["torn_bytes"] = dropped_.torn_bytes;
  return write_file_atomic(dir_ + "/state.json", j.dump(2) + "\n");
}

void TelemetryQueue::drop_front(Priority p, uint64_t* freed) {
  Log& log = logs_[static_cast<int>(p)];
  const Entry& e = log.entries.front();
  dropped_.records[static_cast<int>(p)] += 1;
  dropped_.bytes[static_cast<int>(p)] += e.frame_size;
  log.live_bytes -= e.frame_size;
  *freed += e.frame_size;
  log.head = e.seq + 1;
  log.entries.pop_front();
}

Result<AppendResult> TelemetryQueue::append(Priority priority, const std::string& kind,
                                            const std::string& body, int64_t time_ms) {
  if (kind.size() > 0xFFFF) return invalid_argument("telemetry record kind is longer than 65535 bytes");
  std::lock_guard<std::mutex> lock(mu_);
  Record r{next_seq_, priority, time_ms, kind, body};
  std::string frame = encode_frame(r);
  if (frame.size() > kMaxPayload + kFrameHeader || frame.size() > options_.max_bytes / 4)
    return invalid_argument("telemetry record '" + kind + "' of " + std::to_string(frame.size()) +
                            " bytes exceeds a quarter of the queue bound " +
                            std::to_string(options_.max_bytes));
  ++next_seq_;
  const int pi = static_cast<int>(priority);

  auto total = [this] {
    uint64_t sum = 0;
    for (const auto& log : logs_) sum += log.live_bytes;
    return sum;
  };
  bool state_changed = false;
  if (total() + frame.size() > options_.max_bytes) {
    // Free the room plus a slack of 1/16 of the bound, so a full queue rewrites state.json
    // once per many appends rather than on every one. Only data of this priority or lower
    // makes room: a verbose sample never pushes out an event.
    uint64_t target = frame.size() + options_.max_bytes / 16;
    uint64_t freed = 0;
    uint64_t excess = total() + target - std::min(total() + target, options_.max_bytes);
    for (int victim = 0; victim <= pi && freed < excess; ++victim)
      while (!logs_[victim].entries.empty() && freed < excess)
        drop_front(static_cast<Priority>(victim), &freed);
    state_changed = freed > 0;
    if (total() + frame.size() > options_.max_bytes) {
      dropped_.records[pi] += 1;
      dropped_.bytes[pi] += frame.size();
      FOGLINE_TRY(save_state());
      for (auto& log : logs_) FOGLINE_TRY(remove_dead_segments(log));
      return AppendResult{r.seq, false};
    }
  }

  Log& log = logs_[pi];
  if (log.segments.back().size > 0 && log.segments.back().size + frame.size() > options_.segment_bytes)
    FOGLINE_TRY(open_active_segment(log, /*create_new=*/true));
  Segment& seg = log.segments.back();
  std::string path = segment_path(log, seg.number);
  size_t written = 0;
  while (written < frame.size()) {
    ssize_t n = ::write(log.fd, frame.data() + written, frame.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Status st = errno_status("appending to", path);
      // Leave no half frame behind for the next append to follow.
      if (::ftruncate(log.fd, static_cast<off_t>(seg.size)) != 0) {}
      return st;
    }
    written += static_cast<size_t>(n);
  }
  if (options_.sync_every_append && ::fdatasync(log.fd) != 0) return errno_status("syncing", path);
  log.entries.push_back(Entry{r.seq, seg.number, seg.size, static_cast<uint32_t>(frame.size())});
  seg.size += frame.size();
  log.live_bytes += frame.size();
  if (state_changed) {
    FOGLINE_TRY(save_state());
    for (auto& l : logs_) FOGLINE_TRY(remove_dead_segments(l));
  }
  return AppendResult{r.seq, true};
}

Result<PendingBatch> TelemetryQueue::peek(size_t max_records, uint64_t max_bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  PendingBatch batch;
  for (int p = kPriorityCount - 1; p >= 0; --p) {
    const Log& log = logs_[p];
    int fd = -1;
    uint64_t fd_segment = 0;
    Status st = Status::ok();
    for (const Entry& e : log.entries) {
      if (batch.records.size() >= max_records) break;
      if (fd < 0 || fd_segment != e.segment) {
        if (fd >= 0) ::close(fd);
        std::string path = segment_path(log, e.segment);
        fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        fd_segment = e.segment;
        if (fd < 0) {
          st = errno_status("opening", path);
          break;
        }
      }
      std::string data(e.frame_size, '\0');
      ssize_t n = ::pread(fd, data.data(), e.frame_size, static_cast<off_t>(e.offset));
      Record r;
      uint32_t size = 0;
      if (n != static_cast<ssize_t>(e.frame_size) || !decode_frame(data, 0, &r, &size) || r.seq != e.seq) {
        st = io_error("telemetry record " + std::to_string(e.seq) + " in " +
                      segment_path(log, e.segment) + " no longer reads back (disk damage?)");
        break;
      }
      uint64_t bytes = r.kind.size() + r.body.size();
      if (!batch.records.empty() && batch.bytes + bytes > max_bytes) break;
      batch.bytes += bytes;
      batch.ack.up_to[p] = r.seq;
      batch.records.push_back(std::move(r));
    }
    if (fd >= 0) ::close(fd);
    FOGLINE_TRY(st);
    if (batch.records.size() >= max_records) break;
    if (!batch.records.empty() && batch.bytes >= max_bytes) break;
  }
  return batch;
}

Status TelemetryQueue::ack(const AckPoint& point) {
  std::lock_guard<std::mutex> lock(mu_);
  bool changed = false;
  for (int p = 0; p < kPriorityCount; ++p) {
    Log& log = logs_[p];
    while (!log.entries.empty() && log.entries.front().seq <= point.up_to[p]) {
      log.live_bytes -= log.entries.front().frame_size;
      log.head = log.entries.front().seq + 1;
      log.entries.pop_front();
      changed = true;
    }
  }
  if (!changed) return Status::ok();
  FOGLINE_TRY(save_state());
  for (auto& log : logs_) FOGLINE_TRY(remove_dead_segments(log));
  return Status::ok();
}

Status TelemetryQueue::sync() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& log : logs_)
    if (log.fd >= 0 && ::fdatasync(log.fd) != 0) return errno_status("syncing", log.dir);
  return Status::ok();
}

DropCounts TelemetryQueue::dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

uint64_t TelemetryQueue::floor_seq_locked() const {
  uint64_t floor = next_seq_;
  for (const auto& log : logs_)
    if (!log.entries.empty()) floor = std::min(floor, log.entries.front().seq);
  return floor;
}

uint64_t TelemetryQueue::floor_seq() const {
  std::lock_guard<std::mutex> lock(mu_);
  return floor_seq_locked();
}

uint64_t TelemetryQueue::next_seq() const {
  std::lock_guard<std::mutex> lock(mu_);
  return next_seq_;
}

uint64_t TelemetryQueue::live_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t sum = 0;
  for (const auto& log : logs_) sum += log.live_bytes;
  return sum;
}

size_t TelemetryQueue::size(Priority p) const {
  std::lock_guard<std::mutex> lock(mu_);
  return logs_[static_cast<int>(p)].entries.size();
}

size_t TelemetryQueue::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& log : logs_) n += log.entries.size();
  return n;
}

}  // namespace fogline::telemetry
