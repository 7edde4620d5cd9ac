#include "node/rental/rental_meter.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/file_util.h"
#include "core/sha256.h"
#include "crypto/usage_counter.h"

namespace fogline::node::rental {

namespace {

constexpr const char* kPending = "pending.reports";

Status sync_meter_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open directory " + dir + ": " + std::strerror(errno));
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return io_error("cannot sync directory " + dir + ": " + std::strerror(errno));
  return Status::ok();
}

// Appends one line and syncs it; a new file's directory entry is synced too.
Status append_line_durably(const std::string& dir, const std::string& path, const std::string& line) {
  bool existed = ::access(path.c_str(), F_OK) == 0;
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot open " + path + ": " + std::strerror(errno));
  std::string text = line + "\n";
  ssize_t n = ::write(fd, text.data(), text.size());
  int rc = n == static_cast<ssize_t>(text.size()) ? ::fdatasync(fd) : -1;
  int err = errno;
  ::close(fd);
  if (rc != 0) return io_error("cannot append a usage report to " + path + ": " + std::strerror(err));
  return existed ? Status::ok() : sync_meter_dir(dir);
}

struct ReportLines {
  std::vector<crypto::UsageCounter> reports;
  size_t good_bytes = 0;  // up to the last complete line
};

// The reports in a file; a torn last line (no newline: the crash came mid-append) is left out.
Result<ReportLines> read_report_lines(const std::string& path) {
  ReportLines out;
  if (::access(path.c_str(), F_OK) != 0) return out;
  FOGLINE_ASSIGN_OR_RETURN(std::string text, read_file(path));
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) break;
    std::string line = text.substr(start, nl - start);
    start = nl + 1;
    if (line.empty()) continue;
    auto bytes = from_hex(line);
    if (!bytes.is_ok()) return invalid_argument(path + ": " + bytes.status().message());
    auto report = crypto::decode_usage_counter(*bytes);
    if (!report.is_ok()) return invalid_argument(path + ": " + report.status().message());
    out.reports.push_back(std::move(report).value());
  }
  out.good_bytes = start;  // start only moves past complete lines
  return out;
}

uint64_t wall_clock_ms() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace

RentalTicket::~RentalTicket() {
  if (meter_) meter_->release_one();
}

Status RentalTicket::commit() {
  if (!meter_) return internal_error("rental ticket already used");
  RentalMeter* m = meter_;
  meter_ = nullptr;
  return m->commit_one();
}

RentalMeter::RentalMeter(RentalTerms terms, std::string dir, std::shared_ptr<const crypto::Identity> node,
                         MeterOptions options, UsageCounterFile counter)
    : terms_(std::move(terms)),
      dir_(std::move(dir)),
      node_(std::move(node)),
      options_(options),
      counter_(std::move(counter)),
      limit_(terms_.prepaid_inferences) {}

Result<std::shared_ptr<RentalMeter>> RentalMeter::open(RentalTerms terms, std::string dir,
                                                       std::shared_ptr<const crypto::Identity> node,
                                                       MeterOptions options) {
  if (!node) return invalid_argument("rental " + terms.rental + " of " + terms.label() +
                                        ": the node has no identity key to sign usage reports with (give --key FILE)");
  if (terms.has_node && terms.node != node->sign_public())
    return invalid_argument("rental " + terms.rental + " of " + terms.label() + " is for node " +
                            to_hex(terms.node.data(), terms.node.size()) + ", this node's key is " +
                            to_hex(node->sign_public().data(), node->sign_public().size()));
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return io_error("cannot create the rental meter directory " + dir + ": " + ec.message());
  FOGLINE_ASSIGN_OR_RETURN(UsageCounterFile counter, UsageCounterFile::open(dir + "/counter", terms.rental));
  if (options.batch_reports == 0) options.batch_reports = 1;
  std::shared_ptr<RentalMeter> m(new RentalMeter(std::move(terms), std::move(dir), std::move(node), options,
                                                 std::move(counter)));
  std::lock_guard<std::mutex> lock(m->mu_);
  FOGLINE_TRY(m->recover());
  return m;
}

// After a crash: drop a torn report line, take the sequence of the last report written (it is
// appended before the counter records its sequence), and report a count no report holds yet.
Status RentalMeter::recover() {
  const std::string pending = dir_ + "/" + kPending;
  FOGLINE_ASSIGN_OR_RETURN(ReportLines lines, read_report_lines(pending));
  if (::access(pending.c_str(), F_OK) == 0) {
    if (::truncate(pending.c_str(), static_cast<off_t>(lines.good_bytes)) != 0)
      return io_error("cannot cut the torn tail of " + pending + ": " + std::strerror(errno));
  }
  pending_count_ = lines.reports.size();
  pending_first_ = lines.reports.empty() ? 0 : lines.reports.front().sequence;
  const crypto::UsageCounter* last = lines.reports.empty() ? nullptr : &lines.reports.back();
  ReportLines batch;
  if (!last) {
    // The newest batch, whether still to settle or already settled or kept aside by the agent
    // (node/agent/usage_settler.h renames them .settled / .rejected).
    const auto files = batch_files_in(dir_, {kBatchReports, kBatchSettled, kBatchRejected});
    if (!files.empty()) {
      FOGLINE_ASSIGN_OR_RETURN(batch, read_report_lines(files.back()));
      if (!batch.reports.empty()) last = &batch.reports.back();
    }
  }
  CounterState s = counter_.state();
  if (last) {
    if (last->node != node_->sign_public())
      return invalid_argument("the usage reports in " + dir_ + " were signed by another node key");
    reported_ = last->inferences;
    if (last->sequence > s.sequence) {
      s.sequence = last->sequence;
      FOGLINE_TRY(counter_.store(s));
    }
  }
  counted_ = durable_ = s.inferences;
  sequence_ = s.sequence;
  std::unique_lock<std::mutex> lock(mu_, std::adopt_lock);
  Status st = durable_ > reported_ ? report_locked(lock) : Status::ok();
  lock.release();  // open() holds mu_ and lets it go
  return st;
}

Result<RentalTicket> RentalMeter::admit() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!broken_.is_ok())
    return internal_error("rental " + terms_.rental + " of " + terms_.label() +
                          ": the usage counter cannot be written, so the model is not served: " + broken_.message());
  if (limit_ != kUnlimited && counted_ + in_flight_ >= limit_) {
    ++refused_;
    return resource_exhausted(exhausted_message());
  }
  ++in_flight_;
  return RentalTicket(this);
}

std::string RentalMeter::exhausted_message() const {
  std::string msg = "rental " + terms_.rental + " of " + terms_.label() + ": prepaid inferences used up (" +
                    std::to_string(counted_) + " of " + std::to_string(limit_) + " used";
  if (in_flight_) msg += ", " + std::to_string(in_flight_) + " in flight";
  msg += "); this node stops serving the rented model until the renter prepays a new rental";
  if (!ledger_reason_.empty()) msg += "; the ledger: " + ledger_reason_;
  return msg;
}

bool RentalMeter::set_allowance(uint64_t limit, const std::string& ledger_reason) {
  std::unique_lock<std::mutex> lock(mu_);
  if (limit == limit_ && ledger_reason == ledger_reason_) return false;
  limit_ = limit;
  ledger_reason_ = ledger_reason;
  if (limit_ != kUnlimited && durable_ >= limit_ && (durable_ > reported_ || pending_count_ > 0)) {
    Status st = report_locked(lock);
    if (st.is_ok()) st = close_batch_locked();
    if (!st.is_ok()) std::fprintf(stderr, "rental %s: %s\n", terms_.rental.c_str(), st.message().c_str());
  }
  return true;
}

nlohmann::json RentalMeter::refusal_json(const std::string& served_name) const {
  std::lock_guard<std::mutex> lock(mu_);
  return {{"error", exhausted_message()},
          {"model", served_name},
          {"rental", terms_.rental},
          {"rented_model", terms_.label()},
          {"used", counted_},
          {"prepaid", limit_}};
}

void RentalMeter::release_one() {
  std::lock_guard<std::mutex> lock(mu_);
  if (in_flight_) --in_flight_;
}

Status RentalMeter::commit_one() {
  std::unique_lock<std::mutex> lock(mu_);
  if (in_flight_) --in_flight_;
  const uint64_t mine = ++counted_;
  while (durable_ < mine) {
    if (!broken_.is_ok()) return broken_;
    if (syncing_) {
      synced_.wait(lock);
      continue;
    }
    // This thread syncs everything counted so far; the others wait for it.
    syncing_ = true;
    const CounterState next{counted_, sequence_};
    lock.unlock();
    Status st = counter_.store(next);
    lock.lock();
    syncing_ = false;
    if (st.is_ok()) durable_ = next.inferences;
    else broken_ = st;
    synced_.notify_all();
  }
  if (limit_ != kUnlimited && durable_ >= limit_ &&
      (durable_ > reported_ || pending_count_ > 0)) {
    // The last prepaid inference: its report and the batch go out now, not at the next tick.
    // The count is already durable, so a failure here does not fail the answered request: the
    // next tick, the stop or the restart reports it.
    Status st = report_locked(lock);
    if (st.is_ok()) st = close_batch_locked();
    if (!st.is_ok()) std::fprintf(stderr, "rental %s: %s\n", terms_.rental.c_str(), st.message().c_str());
    std::fprintf(stderr, "rental %s of %s: all %" PRIu64 " prepaid inferences used; refusing further requests\n",
                 terms_.rental.c_str(), terms_.label().c_str(), durable_);
  }
  return Status::ok();
}

Status RentalMeter::report() {
  std::unique_lock<std::mutex> lock(mu_);
  return report_locked(lock);
}

Status RentalMeter::report_locked(std::unique_lock<std::mutex>& lock) {
  // Holding mu_ with no sync under way, no other thread writes the counter file.
  synced_.wait(lock, [this] { return !syncing_; });
  if (durable_ <= reported_) return Status::ok();
  const uint64_t sequence = sequence_ + 1;
  crypto::UsageCounter c =
      crypto::sign_usage_counter(*node_, terms_.model, terms_.version, terms_.renter, durable_, sequence, wall_clock_ms());
  // The line first, then the sequence: a crash between leaves a report the recovery finds,
  // never a sequence used twice.
  FOGLINE_TRY(append_line_durably(dir_, dir_ + "/" + kPending, to_hex(c.encode())));
  if (pending_count_++ == 0) pending_first_ = sequence;
  reported_ = durable_;
  Status st = counter_.store(CounterState{durable_, sequence});
  if (!st.is_ok()) return st;  // the recovery takes the sequence from the line
  sequence_ = sequence;
  if (pending_count_ >= options_.batch_reports) FOGLINE_TRY(close_batch_locked());
  return Status::ok();
}

Status RentalMeter::close_batch_locked() {
  if (pending_count_ == 0) return Status::ok();
  char name[64];
  std::snprintf(name, sizeof name, "batch-%010" PRIu64 "-%010" PRIu64 "%s", pending_first_, sequence_, kBatchReports);
  std::string from = dir_ + "/" + kPending, to = dir_ + "/" + name;
  if (::rename(from.c_str(), to.c_str()) != 0)
    return io_error("cannot close the usage report batch " + from + " -> " + to + ": " + std::strerror(errno));
  FOGLINE_TRY(sync_meter_dir(dir_));
  pending_count_ = 0;
  pending_first_ = 0;
  return Status::ok();
}

Status RentalMeter::flush() {
  std::unique_lock<std::mutex> lock(mu_);
  FOGLINE_TRY(report_locked(lock));
  return close_batch_locked();
}

std::vector<std::string> batch_files_in(const std::string& dir, std::initializer_list<const char*> suffixes) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string n = e.path().filename().string();
    if (n.rfind("batch-", 0) != 0) continue;
    for (const char* suffix : suffixes) {
      if (n.ends_with(suffix)) {
        out.push_back(e.path().string());
        break;
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> RentalMeter::batch_files() const { return batch_files_in(dir_, {kBatchReports}); }

MeterSnapshot RentalMeter::snapshot() const {
  MeterSnapshot s;
  {
    std::lock_guard<std::mutex> lock(mu_);
    s.inferences = durable_;
    s.sequence = sequence_;
    s.prepaid = limit_;
    s.in_flight = in_flight_;
    s.reported = reported_;
    s.refused = refused_;
  }
  s.batches = batch_files().size();
  return s;
}

}  // namespace fogline::node::rental
