#include "node/agent/hub_client.h"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/file_util.h"
#include "crypto/http_signature.h"

namespace fogline::node::agent {
namespace {

std::unique_ptr<httplib::Client> make_client(const std::string& base_url, const ClientOptions& options) {
  auto cli = std::make_unique<httplib::Client>(base_url);
  cli->set_connection_timeout(options.timeout_seconds, 0);
  cli->set_read_timeout(options.timeout_seconds, 0);
  cli->set_write_timeout(options.timeout_seconds, 0);
  if (!options.ca_cert_path.empty()) {
    cli->set_ca_cert_path(options.ca_cert_path);
    cli->enable_server_certificate_verification(true);
  }
  return cli;
}

HttpReply to_reply(const httplib::Response& res) {
  HttpReply r;
  r.status = res.status;
  r.body = res.body;
  for (const auto& [k, v] : res.headers) r.headers.emplace(k, v);
  return r;
}

Result<HttpReply> send(httplib::Client& cli, const std::string& base_url, const std::string& method,
                       const std::string& target, const std::string& body, const httplib::Headers& headers) {
  httplib::Result res{nullptr, httplib::Error::Unknown};
  if (method == "GET") res = cli.Get(target, headers);
  else if (method == "POST") res = cli.Post(target, headers, body, "application/json");
  else if (method == "DELETE") res = cli.Delete(target, headers, body, "application/json");
  else if (method == "PUT") res = cli.Put(target, headers, body, "application/json");
  else return invalid_argument("unsupported HTTP method " + method);
  if (!res) return io_error(method + " " + base_url + target + ": " + httplib::to_string(res.error()));
  return to_reply(*res);
}

void split_target(const std::string& target, std::string& path, std::string& query) {
  size_t q = target.find('?');
  path = target.substr(0, q);
  query = q == std::string::npos ? "" : target.substr(q + 1);
}

httplib::Headers signed_headers(const crypto::Identity& identity, const std::string& node_id, const std::string& method,
                                const std::string& target, const std::string& body) {
  crypto::HttpRequestParts parts;
  parts.method = method;
  split_target(target, parts.path, parts.query);
  parts.body = body;
  crypto::SignedHeaders h = crypto::sign_request(parts, identity, {0, "", node_id});
  return {{"Content-Digest", h.content_digest}, {"Signature-Input", h.signature_input}, {"Signature", h.signature}};
}

}  // namespace

std::string HttpReply::error_text() const {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("error")) return j["error"].is_string() ? j["error"].get<std::string>() : j["error"].dump();
  return body.substr(0, 300);
}

std::string HttpReply::header(const std::string& name) const {
  for (const auto& [k, v] : headers)
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        }))
      return v;
  return "";
}

Result<HttpReply> http_request(const std::string& base_url, const std::string& method, const std::string& target,
                               const std::string& body, const std::map<std::string, std::string>& headers,
                               const ClientOptions& options) {
  auto cli = make_client(base_url, options);
  httplib::Headers h(headers.begin(), headers.end());
  return send(*cli, base_url, method, target, body, h);
}

HubClient::HubClient(std::string hub_url, std::string node_id, const crypto::Identity& identity, ClientOptions options)
    : hub_url_(std::move(hub_url)), node_id_(std::move(node_id)), identity_(identity), options_(std::move(options)) {}

Result<HttpReply> HubClient::request(const std::string& method, const std::string& target, const std::string& body,
                                     const std::map<std::string, std::string>& extra_headers) {
  auto cli = make_client(hub_url_, options_);
  httplib::Headers headers = signed_headers(identity_, node_id_, method, target, body);
  headers.insert(extra_headers.begin(), extra_headers.end());
  return send(*cli, hub_url_, method, target, body, headers);
}

Result<BundleDownload> HubClient::download_bundle(const std::string& model, const std::string& version,
                                                  const std::string& from_version, const std::string& dest) {
  namespace fs = std::filesystem;
  std::string target = "/api/bundles/" + model + "/" + version + (from_version.empty() ? "" : "?from=" + from_version);
  std::string part = dest + ".part", etag_file = dest + ".part.etag";
  std::error_code ec;
  int64_t offset = 0;
  std::string saved_etag;
  if (fs::exists(part, ec) && fs::exists(etag_file, ec)) {
    auto e = read_file(etag_file, 4096);
    if (e.is_ok()) {
      saved_etag = *e;
      offset = static_cast<int64_t>(fs::file_size(part, ec));
    }
  }
  if (saved_etag.empty()) offset = 0;

  BundleDownload out;
  out.path = dest;
  std::ofstream file;
  std::string failure;
  int64_t total = -1;
  bool restart = false;
  int error_status = 0;
  std::string error_body;
  auto open_file = [&](bool append) {
    file.close();
    file.open(part, std::ios::binary | (append ? std::ios::app : std::ios::trunc));
    return static_cast<bool>(file);
  };
  auto cli = make_client(hub_url_, options_);
  httplib::Result res{nullptr, httplib::Error::Unknown};
  // A second attempt only when the partial file turned out to belong to another bundle.
  for (int attempt = 0; attempt < 2; ++attempt) {
    restart = false;
    httplib::Headers headers = signed_headers(identity_, node_id_, "GET", target, "");
    if (offset > 0) {
      headers.emplace("Range", "bytes=" + std::to_string(offset) + "-");
      headers.emplace("If-Range", saved_etag);
    }
    res = cli->Get(
        target, headers,
        [&](const httplib::Response& r) {
          std::string etag = r.get_header_value("ETag");
          out.etag = etag;
          out.delta = r.get_header_value("X-Fogline-Bundle-Encoding") == "delta";
          out.full_size = std::atoll(r.get_header_value("X-Fogline-Full-Size").c_str());
          if (r.status == 206 && offset > 0 && etag == saved_etag) {
            // "bytes START-END/TOTAL": the hub must continue exactly where the file ends.
            std::string range = r.get_header_value("Content-Range");
            std::string expect = "bytes " + std::to_string(offset) + "-";
            size_t slash = range.find('/');
            if (range.rfind(expect, 0) != 0 || slash == std::string::npos) {
              failure = "hub answered Range from " + std::to_string(offset) + " with Content-Range '" + range + "'";
              return false;
            }
            total = std::atoll(range.c_str() + slash + 1);
            if (!open_file(true)) failure = "cannot append to " + part;
            return failure.empty();
          }
          if (r.status == 200) {
            offset = 0;  // a different bundle than the partial one, or no Range honoured: start over
            total = r.has_header("Content-Length") ? std::atoll(r.get_header_value("Content-Length").c_str()) : -1;
            if (!open_file(false)) {
              failure = "cannot write " + part;
              return false;
            }
            if (!write_file_atomic(etag_file, etag).is_ok()) {
              failure = "cannot write " + etag_file;
              return false;
            }
            return true;
          }
          if (r.status == 206) {
            // The hub's bundle is not the one the partial file holds: drop it and start over.
            fs::remove(part, ec);
            fs::remove(etag_file, ec);
            restart = true;
            return false;
          }
          error_status = r.status;  // its body (the reason) arrives through the receiver
          return true;
        },
        [&](const char* data, size_t n) {
          if (error_status != 0) {
            if (error_body.size() < 4096) error_body.append(data, std::min<size_t>(n, 4096 - error_body.size()));
            return true;
          }
          file.write(data, static_cast<std::streamsize>(n));
          out.bytes_received += static_cast<int64_t>(n);
          return static_cast<bool>(file);
        });
    if (!restart) break;
    offset = 0;
    saved_etag.clear();
    out.bytes_received = 0;
  }
  file.close();
  if (!failure.empty()) return io_error(failure);
  if (error_status != 0)
    return io_error("GET " + hub_url_ + target + " answered " + std::to_string(error_status) + ": " + error_body);
  if (!res) return io_error("GET " + hub_url_ + target + ": " + httplib::to_string(res.error()) + " after " +
                            std::to_string(out.bytes_received) + " bytes (the partial file is kept for resuming)");
  if (res->status != 200 && res->status != 206)
    return io_error("GET " + target + " answered " + std::to_string(res->status) + ": " + res->body);
  int64_t have = static_cast<int64_t>(fs::file_size(part, ec));
  if (total >= 0 && have != total)
    return io_error("bundle download ended at " + std::to_string(have) + " of " + std::to_string(total) + " bytes");
  fs::rename(part, dest, ec);
  if (ec) return io_error("cannot move " + part + " to " + dest + ": " + ec.message());
  fs::remove(etag_file, ec);
  out.size = have;
  if (out.full_size == 0) out.full_size = have;
  return out;
}

}  // namespace fogline::node::agent
