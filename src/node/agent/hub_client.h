// The node's HTTP client for the hub: every request is signed with the node's Ed25519 key
// (crypto/http_signature: method, path, query, Content-Digest, created, nonce), and bundles
// are downloaded resumably (Range from what the partial file holds, checked against the
// ETag so bytes of two different bundles are never spliced).
#pragma once

#include <map>
#include <memory>
#include <string>

#include "core/status.h"
#include "crypto/identity.h"

namespace fogline::node::agent {

struct HttpReply {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names as sent by the server
  std::string header(const std::string& name) const;
  // What went wrong, for messages: the hub's JSON "error" field, else the body's first 300 bytes.
  std::string error_text() const;
};

struct ClientOptions {
  std::string ca_cert_path;  // trust this CA (a self-signed hub) instead of the system store
  int timeout_seconds = 30;
};

// One plain request (no signature): enrollment and public routes.
Result<HttpReply> http_request(const std::string& base_url, const std::string& method, const std::string& target,
                               const std::string& body, const std::map<std::string, std::string>& headers,
                               const ClientOptions& options = {});

struct BundleDownload {
  std::string path;           // the complete file
  int64_t bytes_received = 0;  // over the network in this call (less than size when resumed)
  int64_t size = 0;
  bool delta = false;
  int64_t full_size = 0;  // what a full download would have been (for "bytes saved")
  std::string etag;
};

class HubClient {
 public:
  HubClient(std::string hub_url, std::string node_id, const crypto::Identity& identity, ClientOptions options = {});

  // Signs and sends; `target` is the path with an optional "?query".
  Result<HttpReply> request(const std::string& method, const std::string& target, const std::string& body = "",
                            const std::map<std::string, std::string>& extra_headers = {});

  // GET /api/bundles/MODEL/VERSION[?from=FROM] into `dest`. An existing `dest + ".part"` is
  // continued with a Range request; a different ETag (the hub's bundle changed) restarts.
  Result<BundleDownload> download_bundle(const std::string& model, const std::string& version,
                                         const std::string& from_version, const std::string& dest);

 private:
  std::string hub_url_, node_id_;
  const crypto::Identity& identity_;
  ClientOptions options_;
};

}  // namespace fogline::node::agent
