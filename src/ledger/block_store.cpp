#include "ledger/block_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/file_util.h"
#include "ledger/encoding.h"

namespace fogline::ledger {
namespace {

constexpr std::string_view kMagic = "FGB1";

Status write_all(int fd, const char* p, size_t n, uint64_t offset, const std::string& path) {
  while (n > 0) {
    ssize_t w = ::pwrite(fd, p, n, static_cast<off_t>(offset));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return io_error("writing '" + path + "' failed: " + std::strerror(errno));
    p += w;
    n -= static_cast<size_t>(w);
    offset += static_cast<uint64_t>(w);
  }
  return Status::ok();
}

Status read_all(int fd, char* p, size_t n, uint64_t offset, const std::string& path) {
  while (n > 0) {
    ssize_t r = ::pread(fd, p, n, static_cast<off_t>(offset));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return io_error("reading '" + path + "' at offset " + std::to_string(offset) + " failed");
    p += r;
    n -= static_cast<size_t>(r);
    offset += static_cast<uint64_t>(r);
  }
  return Status::ok();
}

Result<int> open_rw(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot open '" + path + "': " + std::strerror(errno));
  return fd;
}

uint64_t file_size(int fd) {
  struct stat st {};
  ::fstat(fd, &st);
  return static_cast<uint64_t>(st.st_size);
}

}  // namespace

std::string BlockStore::encode_entry(const IndexEntry& e) {
  Writer w;
  w.u64(e.offset);
  w.u64(e.record_len);
  w.u64(e.height);
  w.fixed(e.block_hash);
  return w.take();
}

IndexEntry BlockStore::decode_entry(std::string_view bytes) {
  Reader r(bytes, "index entry");
  IndexEntry e;
  (void)r.u64(e.offset, "offset");
  (void)r.u64(e.record_len, "record_len");
  (void)r.u64(e.height, "height");
  (void)r.fixed(e.block_hash, "block_hash");
  return e;
}

Result<std::string_view> BlockStore::parse_record(std::string_view data, uint64_t offset, uint64_t record_len) {
  if (offset > data.size() || data.size() - offset < record_len || record_len < kRecordHeaderBytes)
    return invalid_argument("record at offset " + std::to_string(offset) + " of " + std::to_string(record_len) +
                            " bytes runs past the end of blocks.dat (" + std::to_string(data.size()) + " bytes)");
  std::string_view rec = data.substr(offset, record_len);
  if (rec.substr(0, 4) != kMagic) return invalid_argument("record at offset " + std::to_string(offset) + " has no FGB1 magic");
  Reader r(rec.substr(4, 4), "record");
  uint32_t len = 0;
  (void)r.u32(len, "payload_len");
  if (len + kRecordHeaderBytes != record_len)
    return invalid_argument("record at offset " + std::to_string(offset) + " says " + std::to_string(len) +
                            " payload bytes, the index says " + std::to_string(record_len - kRecordHeaderBytes));
  std::string_view payload = rec.substr(kRecordHeaderBytes);
  Hash want;
  std::memcpy(want.data(), rec.data() + 8, 32);
  if (sha256(payload) != want)
    return invalid_argument("record at offset " + std::to_string(offset) + " fails its SHA-256 checksum");
  return payload;
}

Result<BlockStore> BlockStore::open(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return io_error("cannot create ledger directory '" + dir + "': " + ec.message());
  BlockStore s;
  s.dir_ = dir;
  bool fresh = !std::filesystem::exists(index_path(dir));
  FOGLINE_ASSIGN_OR_RETURN(s.data_fd_, open_rw(data_path(dir)));
  FOGLINE_ASSIGN_OR_RETURN(s.index_fd_, open_rw(index_path(dir)));
  if (fresh) {
    // New files survive a power cut only once their directory entries are on disk.
    int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {
      ::fsync(dir_fd);
      ::close(dir_fd);
    }
  }
  const std::string ipath = index_path(dir), dpath = data_path(dir);

  uint64_t index_size = file_size(s.index_fd_);
  uint64_t complete = index_size / kIndexEntryBytes;
  if (index_size % kIndexEntryBytes != 0) {
    // A partial entry: the append was interrupted before the block was acknowledged.
    s.repair_.index_bytes_cut = index_size - complete * kIndexEntryBytes;
    if (::ftruncate(s.index_fd_, static_cast<off_t>(complete * kIndexEntryBytes)) != 0 || ::fsync(s.index_fd_) != 0)
      return io_error("cannot truncate '" + ipath + "': " + std::strerror(errno));
  }
  std::string raw(complete * kIndexEntryBytes, '\0');
  FOGLINE_TRY(read_all(s.index_fd_, raw.data(), raw.size(), 0, ipath));
  uint64_t expected_offset = 0;
  for (uint64_t i = 0; i < complete; ++i) {
    IndexEntry e = decode_entry(std::string_view(raw).substr(i * kIndexEntryBytes, kIndexEntryBytes));
    if (e.height != i || e.offset != expected_offset || e.record_len < kRecordHeaderBytes)
      return invalid_argument("'" + ipath + "' is corrupt at entry " + std::to_string(i) + " (height " +
                              std::to_string(e.height) + ", offset " + std::to_string(e.offset) + ", expected offset " +
                              std::to_string(expected_offset) + "); run 'fogline ledger verify'");
    expected_offset += e.record_len;
    s.index_.push_back(e);
  }
  uint64_t data_size = file_size(s.data_fd_);
  if (data_size < expected_offset)
    return invalid_argument("'" + dpath + "' is " + std::to_string(data_size) + " bytes but the index says " +
                            std::to_string(complete) + " acknowledged blocks end at " + std::to_string(expected_offset) +
                            ": acknowledged blocks are missing");
  if (data_size > expected_offset) {
    s.repair_.data_bytes_cut = data_size - expected_offset;
    if (::ftruncate(s.data_fd_, static_cast<off_t>(expected_offset)) != 0 || ::fsync(s.data_fd_) != 0)
      return io_error("cannot truncate '" + dpath + "': " + std::strerror(errno));
  }
  s.data_end_ = expected_offset;
  return s;
}

BlockStore::BlockStore(BlockStore&& o) noexcept
    : dir_(std::move(o.dir_)), data_fd_(o.data_fd_), index_fd_(o.index_fd_), data_end_(o.data_end_),
      index_(std::move(o.index_)), repair_(o.repair_) {
  o.data_fd_ = o.index_fd_ = -1;
}

BlockStore& BlockStore::operator=(BlockStore&& o) noexcept {
  if (this != &o) {
    if (data_fd_ >= 0) ::close(data_fd_);
    if (index_fd_ >= 0) ::close(index_fd_);
    dir_ = std::move(o.dir_);
    data_fd_ = o.data_fd_;
    index_fd_ = o.index_fd_;
    data_end_ = o.data_end_;
    index_ = std::move(o.index_);
    repair_ = o.repair_;
    o.data_fd_ = o.index_fd_ = -1;
  }
  return *this;
}

BlockStore::~BlockStore() {
  if (data_fd_ >= 0) ::close(data_fd_);
  if (index_fd_ >= 0) ::close(index_fd_);
}

Result<std::string> BlockStore::read(uint64_t height) const {
  if (height >= index_.size())
    return not_found("no block at height " + std::to_string(height) + " (the chain has " +
                     std::to_string(index_.size()) + ")");
  const IndexEntry& e = index_[height];
  std::string rec(e.record_len, '\0');
  FOGLINE_TRY(read_all(data_fd_, rec.data(), rec.size(), e.offset, data_path(dir_)));
  auto payload = parse_record(rec, 0, e.record_len);
  if (!payload.is_ok()) return payload.status().with_context("block " + std::to_string(height));
  return std::string(*payload);
}

Status BlockStore::append(uint64_t height, const Hash& block_hash, std::string_view block_bytes) {
  if (height != index_.size())
    return invalid_argument("appending block " + std::to_string(height) + " to a store of " +
                            std::to_string(index_.size()) + " blocks");
  if (block_bytes.size() > UINT32_MAX) return invalid_argument("block of " + std::to_string(block_bytes.size()) + " bytes is too large");
  Writer w;
  w.raw(kMagic);
  w.u32(static_cast<uint32_t>(block_bytes.size()));
  w.fixed(sha256(block_bytes));
  w.raw(block_bytes);
  const std::string& rec = w.str();
  IndexEntry e{data_end_, rec.size(), height, block_hash};
  std::string entry = encode_entry(e);
  const std::string dpath = data_path(dir_), ipath = index_path(dir_);
  Status st = write_all(data_fd_, rec.data(), rec.size(), data_end_, dpath);
  if (st.is_ok() && ::fdatasync(data_fd_) != 0) st = io_error("fsync of '" + dpath + "' failed: " + std::strerror(errno));
  if (st.is_ok()) st = write_all(index_fd_, entry.data(), entry.size(), index_.size() * kIndexEntryBytes, ipath);
  if (st.is_ok() && ::fdatasync(index_fd_) != 0) st = io_error("fsync of '" + ipath + "' failed: " + std::strerror(errno));
  if (!st.is_ok()) {
    // Not acknowledged: put both files back to their acknowledged length.
    (void)::ftruncate(data_fd_, static_cast<off_t>(data_end_));
    (void)::ftruncate(index_fd_, static_cast<off_t>(index_.size() * kIndexEntryBytes));
    return st;
  }
  data_end_ += rec.size();
  index_.push_back(e);
  return Status::ok();
}

}  // namespace fogline::ledger
