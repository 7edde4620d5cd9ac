#include "core/content_store.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/file_util.h"
#include "core/sha256.h"

namespace fs = std::filesystem;

namespace fogline {
namespace {

Status check_digest(std::string_view digest) {
  if (!is_sha256_hex(digest))
    return invalid_argument("'" + std::string(digest) +
                            "' is not a SHA-256 digest (64 lower-case hex characters)");
  return Status::ok();
}

}  // namespace

Result<ContentStore> ContentStore::open(const std::string& root) {
  std::error_code ec;
  for (const char* sub : {"objects", "tmp"}) {
    fs::create_directories(fs::path(root) / sub, ec);
    if (ec) return io_error("cannot create content store '" + root + "/" + sub + "': " + ec.message());
  }
  return ContentStore(root);
}

std::string ContentStore::new_temp_path(std::string_view hint) const {
  static std::atomic<uint64_t> counter{0};
  return temp_dir() + "/" + std::string(hint) + "." + std::to_string(::getpid()) + "." +
         std::to_string(counter++);
}

std::string ContentStore::path_of(std::string_view digest) const {
  std::string d(digest);
  return root_ + "/objects/" + d.substr(0, 2) + "/" + d.substr(2);
}

bool ContentStore::contains(std::string_view digest) const {
  return is_sha256_hex(digest) && fs::is_regular_file(path_of(digest));
}

Result<std::string> ContentStore::put(std::string_view bytes) {
  std::string temp = new_temp_path("put");
  FOGLINE_TRY(write_file_atomic(temp, bytes.data(), bytes.size()));
  return adopt(temp, sha256_hex(bytes));
}

Result<std::string> ContentStore::put_file(const std::string& path) {
  std::string temp = new_temp_path("copy");
  std::error_code ec;
  fs::copy_file(path, temp, fs::copy_options::overwrite_existing, ec);
  if (ec) {
    fs::remove(temp, ec);
    return io_error("cannot copy '" + path + "' into the content store: " + ec.message());
  }
  return adopt(temp);
}

Result<std::string> ContentStore::adopt(const std::string& temp_path, std::string_view expected) {
  auto discard = [&] {
    std::error_code ec;
    fs::remove(temp_path, ec);
  };
  if (!expected.empty()) {
    if (Status s = check_digest(expected); !s) {
      discard();
      return s;
    }
  }
  auto digest = sha256_file_hex(temp_path);
  if (!digest) {
    discard();
    return digest.status();
  }
  if (!expected.empty() && *digest != expected) {
    discard();
    return invalid_argument("content of '" + temp_path + "' has SHA-256 " + *digest +
                            ", expected " + std::string(expected));
  }
  // fsync the data before it becomes visible under its name.
  int fd = ::open(temp_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    int err = errno;
    if (fd >= 0) ::close(fd);
    discard();
    return io_error("fsync of '" + temp_path + "' failed: " + std::strerror(err));
  }
  ::close(fd);
  std::string target = path_of(*digest);
  std::error_code ec;
  fs::create_directories(fs::path(target).parent_path(), ec);
  if (fs::exists(target)) {
    discard();
    return *digest;
  }
  fs::rename(temp_path, target, ec);
  if (ec) {
    discard();
    return io_error("cannot move '" + temp_path + "' to '" + target + "': " + ec.message());
  }
  int dir = ::open(fs::path(target).parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return *digest;
}

Result<uint64_t> ContentStore::size_of(std::string_view digest) const {
  FOGLINE_TRY(check_digest(digest));
  std::error_code ec;
  auto size = fs::file_size(path_of(digest), ec);
  if (ec) return not_found("object " + std::string(digest) + " is not in the content store");
  return static_cast<uint64_t>(size);
}

Result<std::string> ContentStore::read(std::string_view digest) const {
  FOGLINE_TRY(check_digest(digest));
  if (!contains(digest)) return not_found("object " + std::string(digest) + " is not in the content store");
  FOGLINE_ASSIGN_OR_RETURN(std::string bytes, read_file(path_of(digest)));
  std::string actual = sha256_hex(bytes);
  if (actual != digest)
    return io_error("object " + std::string(digest) + " is corrupt on disk (its bytes hash to " +
                    actual + ")");
  return bytes;
}

Status ContentStore::verify(std::string_view digest) const {
  FOGLINE_TRY(check_digest(digest));
  if (!contains(digest)) return not_found("object " + std::string(digest) + " is not in the content store");
  FOGLINE_ASSIGN_OR_RETURN(std::string actual, sha256_file_hex(path_of(digest)));
  if (actual != digest)
    return io_error("object " + std::string(digest) + " is corrupt on disk (its bytes hash to " +
                    actual + ")");
  return Status::ok();
}

Result<std::vector<std::string>> ContentStore::list() const {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator prefix(root_ + "/objects", ec), end; !ec && prefix != end;
       prefix.increment(ec)) {
    if (!prefix->is_directory()) continue;
    for (fs::directory_iterator it(prefix->path(), ec); !ec && it != end; it.increment(ec)) {
      std::string name = prefix->path().filename().string() + it->path().filename().string();
      if (is_sha256_hex(name)) out.push_back(name);
    }
  }
  if (ec) return io_error("listing content store '" + root_ + "': " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

Status ContentStore::remove(std::string_view digest) {
  FOGLINE_TRY(check_digest(digest));
  std::error_code ec;
  if (!fs::remove(path_of(digest), ec) || ec)
    return not_found("object " + std::string(digest) + " could not be removed" +
                     (ec ? ": " + ec.message() : std::string(": not present")));
  return Status::ok();
}

Result<int> ContentStore::clean_temp() const {
  int removed = 0;
  std::error_code ec;
  for (fs::directory_iterator it(temp_dir(), ec), end; !ec && it != end; it.increment(ec)) {
    // Names are hint.PID.N: a file whose writer is still alive is left alone.
    std::string name = it->path().filename().string();
    size_t first = name.find('.'), second = name.rfind('.');
    if (first != std::string::npos && second > first) {
      pid_t pid = static_cast<pid_t>(std::atoll(name.substr(first + 1, second - first - 1).c_str()));
      if (pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM)) continue;
    }
    std::error_code rm;
    if (fs::remove(it->path(), rm)) ++removed;
  }
  if (ec) return io_error("cleaning '" + temp_dir() + "': " + ec.message());
  return removed;
}

}  // namespace fogline
