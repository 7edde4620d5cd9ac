// HTTP(S) for imports (cpp-httplib, TLS through OpenSSL): resumable downloads into the content
// store's temporary directory and the JSON POSTs of the Git LFS batch API.
//
// A download's partial file is named dl-<key>.<pid>.0 under the store's tmp/: a download of
// the same thing started after a killed one takes the file over (rename) and continues with
// an HTTP Range request; `fogline gc` removes it once its process is gone. A download that
// fails (hash or size mismatch, server error, too many broken connections) deletes it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "core/content_store.h"
#include "core/status.h"

namespace fogline::registry {

using HttpHeaders = std::map<std::string, std::string>;

struct DownloadRequest {
  std::string url;
  HttpHeaders headers;
  std::string expected_sha256;  // empty: not checked
  int64_t expected_size = -1;   // -1: not checked (the server's length still is)
  int max_attempts = 5;         // connections that may break before giving up
  int timeout_seconds = 60;     // per read
  std::function<void(int64_t done, int64_t total)> progress;
};

struct Download {
  std::string temp_path;  // in the store's tmp/; the caller adopts or deletes it
  std::string sha256;
  int64_t size = 0;
  bool resumed = false;   // continued a partial file left by a killed process or a broken connection
  HttpHeaders headers;    // of the last response, names in lower case
};

Result<Download> download_to_temp(const ContentStore& cas, const DownloadRequest& request);

struct HttpResponse {
  int status = 0;
  std::string body;
  HttpHeaders headers;  // names in lower case
};

Result<HttpResponse> http_post(const std::string& url, const std::string& body, const HttpHeaders& headers,
                               int timeout_seconds = 60);

// "https://host:8443/a/b?c" -> {"https://host:8443", "/a/b?c"}.
Result<std::pair<std::string, std::string>> split_url(const std::string& url);

}  // namespace fogline::registry
