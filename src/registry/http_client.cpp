#include "registry/http_client.h"

#include <fcntl.h>
#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/sha256.h"

namespace fs = std::filesystem;

namespace fogline::registry {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

HttpHeaders lower_headers(const httplib::Headers& h) {
  HttpHeaders out;
  for (const auto& [k, v] : h) out[lower(k)] = v;
  return out;
}

std::unique_ptr<httplib::Client> make_client(const std::string& base, int timeout_seconds) {
  auto cli = std::make_unique<httplib::Client>(base);
  cli->set_follow_location(true);
  cli->set_connection_timeout(timeout_seconds, 0);
  cli->set_read_timeout(timeout_seconds, 0);
  cli->set_write_timeout(timeout_seconds, 0);
  cli->set_keep_alive(false);
  return cli;
}

bool pid_alive(pid_t pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

// Takes over the partial file of an earlier download of the same thing whose process is gone.
// Returns the path this process writes to (dl-KEY.PID.0).
// Only a download whose hash is known in advance (Git LFS, --sha256) continues another
// process's bytes: without it a file that changed on the server in between would be spliced
// from two versions unnoticed. Otherwise the leftovers are deleted.
Result<std::string> claim_partial(const ContentStore& cas, const std::string& key, bool may_resume) {
  std::string mine = cas.temp_dir() + "/dl-" + key + "." + std::to_string(::getpid()) + ".0";
  std::string prefix = "dl-" + key + ".";
  std::string best;
  uintmax_t best_size = 0;
  std::error_code ec;
  for (fs::directory_iterator it(cas.temp_dir(), ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.rfind(prefix, 0) != 0 || it->path() == mine) continue;
    std::string rest = name.substr(prefix.size());
    pid_t pid = static_cast<pid_t>(std::atoll(rest.substr(0, rest.find('.')).c_str()));
    if (pid_alive(pid))
      return resource_exhausted("another fogline process (pid " + std::to_string(pid) + ") is downloading this file");
    std::error_code size_ec;
    uintmax_t size = fs::file_size(it->path(), size_ec);
    if (size_ec) continue;
    if (best.empty() || size > best_size) {
      if (!best.empty()) fs::remove(best, size_ec);
      best = it->path().string();
      best_size = size;
    } else {
      fs::remove(it->path(), size_ec);
    }
  }
  std::error_code rm;
  if (!best.empty() && !may_resume) fs::remove(best, rm);
  // rename() is atomic: of two processes taking over the same file, one wins.
  else if (!best.empty() && ::rename(best.c_str(), mine.c_str()) != 0) best.clear();
  return mine;
}

bool parse_content_range(const std::string& value, int64_t* start, int64_t* total) {
  // "bytes START-END/TOTAL" (TOTAL may be "*")
  long long s = 0, e = 0, t = -1;
  if (std::sscanf(value.c_str(), "bytes %lld-%lld/%lld", &s, &e, &t) >= 2) {
    *start = s;
    *total = t;
    return true;
  }
  return false;
}

}  // namespace

Result<std::pair<std::string, std::string>> split_url(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos || (url.compare(0, scheme, "http") != 0 && url.compare(0, scheme, "https") != 0))
    return invalid_argument("'" + url + "' is not an http:// or https:// URL");
  size_t path = url.find('/', scheme + 3);
  if (path == std::string::npos) return std::make_pair(url, std::string("/"));
  return std::make_pair(url.substr(0, path), url.substr(path));
}

Result<Download> download_to_temp(const ContentStore& cas, const DownloadRequest& req) {
  FOGLINE_ASSIGN_OR_RETURN(auto parts, split_url(req.url));
  std::string key = sha256_hex(req.url + "\n" + req.expected_sha256).substr(0, 24);
  FOGLINE_ASSIGN_OR_RETURN(std::string path, claim_partial(cas, key, !req.expected_sha256.empty()));
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot create '" + path + "': " + std::strerror(errno));
  struct Cleanup {
    int fd;
    std::string path;
    bool keep = false;
    ~Cleanup() {
      ::close(fd);
      if (!keep) ::unlink(path.c_str());
    }
  } cleanup{fd, path};

  Download out;
  out.temp_path = path;
  int64_t offset = ::lseek(fd, 0, SEEK_END);
  out.resumed = offset > 0;
  int64_t total = -1;
  std::string failure, etag;
  int broken = 0;
  auto cli = make_client(parts.first, req.timeout_seconds);
  for (;;) {
    if (req.expected_size >= 0 && offset == req.expected_size && offset > 0) break;  // a resumed file already complete
    httplib::Headers headers(req.headers.begin(), req.headers.end());
    if (offset > 0) {
      headers.emplace("Range", "bytes=" + std::to_string(offset) + "-");
      // If the file changed since the first response, the server sends all of it (200).
      if (!etag.empty() && etag.rfind("W/", 0) != 0) headers.emplace("If-Range", etag);
    }
    int status = 0;
    std::string write_error;
    int64_t before = offset;
    bool restarted = false;
    auto res = cli->Get(
        parts.second, headers,
        [&](const httplib::Response& r) {
          status = r.status;
          out.headers = lower_headers(r.headers);
          if (r.status == 200) etag = r.get_header_value("ETag");
          if (r.status == 206) {
            int64_t start = -1, t = -1;
            if (!parse_content_range(r.get_header_value("Content-Range"), &start, &t) || start != offset) {
              write_error = "server answered Range " + std::to_string(offset) + "- with '" +
                            r.get_header_value("Content-Range") + "'";
              return false;
            }
            if (t >= 0) total = t;
            return true;
          }
          if (r.status == 200) {
            if (offset > 0) {  // the server ignored Range: start over
              if (::ftruncate(fd, 0) != 0 || ::lseek(fd, 0, SEEK_SET) != 0) {
                write_error = std::string("truncating: ") + std::strerror(errno);
                return false;
              }
              offset = 0;
              before = 0;
              restarted = true;
            }
            total = r.has_header("Content-Length") ? std::atoll(r.get_header_value("Content-Length").c_str()) : -1;
            return true;
          }
          return false;  // error statuses: no body wanted
        },
        [&](const char* data, size_t len) {
          size_t done = 0;
          while (done < len) {
            ssize_t n = ::write(fd, data + done, len - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
              write_error = std::string("writing '") + path + "': " + std::strerror(errno);
              return false;
            }
            done += static_cast<size_t>(n);
          }
          offset += static_cast<int64_t>(len);
          if (req.expected_size >= 0 && offset > req.expected_size) {
            write_error = "server sent more than the expected " + std::to_string(req.expected_size) + " bytes";
            return false;
          }
          if (req.progress) req.progress(offset, total);
          return true;
        });
    (void)restarted;
    if (!write_error.empty()) return io_error("downloading " + req.url + ": " + write_error);
    if (status == 416 && offset > 0 && total < 0) {
      // Nothing left to send after our offset: the partial file may already be whole.
      break;
    }
    if (status != 0 && status != 200 && status != 206)
      return io_error("downloading " + req.url + ": HTTP " + std::to_string(status));
    bool complete = res && (total < 0 || offset == total);
    if (complete) break;
    failure = res ? "connection closed after " + std::to_string(offset) + " of " + std::to_string(total) + " bytes"
                  : "connection failed (" + httplib::to_string(res.error()) + ") after " + std::to_string(offset) + " bytes";
    // Only broken connections that brought no new bytes count against the limit: a slow
    // link that keeps making progress is resumed as often as it needs.
    if (offset <= before && ++broken >= req.max_attempts)
      return io_error("downloading " + req.url + ": " + failure + "; gave up after " + std::to_string(broken) + " attempts");
    out.resumed = true;
    ::usleep(static_cast<useconds_t>(std::min(broken, 5) * 100000));
  }
  if (::fsync(fd) != 0) return io_error("fsync of '" + path + "' failed: " + std::strerror(errno));
  out.size = offset;
  if (total >= 0 && out.size != total)
    return io_error("downloading " + req.url + ": got " + std::to_string(out.size) + " bytes, the server announced " +
                    std::to_string(total));
  if (req.expected_size >= 0 && out.size != req.expected_size)
    return invalid_argument("downloading " + req.url + ": got " + std::to_string(out.size) + " bytes, expected " +
                            std::to_string(req.expected_size));
  FOGLINE_ASSIGN_OR_RETURN(out.sha256, sha256_file_hex(path));
  if (!req.expected_sha256.empty() && out.sha256 != req.expected_sha256)
    return invalid_argument("downloading " + req.url + ": SHA-256 is " + out.sha256 + ", expected " + req.expected_sha256);
  cleanup.keep = true;
  return out;
}

Result<HttpResponse> http_post(const std::string& url, const std::string& body, const HttpHeaders& headers, int timeout_seconds) {
  FOGLINE_ASSIGN_OR_RETURN(auto parts, split_url(url));
  auto cli = make_client(parts.first, timeout_seconds);
  httplib::Headers h(headers.begin(), headers.end());
  std::string content_type = "application/json";
  if (auto it = headers.find("Content-Type"); it != headers.end()) {
    content_type = it->second;
    h.erase("Content-Type");
  }
  auto res = cli->Post(parts.second, h, body, content_type);
  if (!res) return io_error("POST " + url + " failed: " + httplib::to_string(res.error()));
  return HttpResponse{res->status, res->body, lower_headers(res->headers)};
}

}  // namespace fogline::registry
