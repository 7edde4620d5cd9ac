// A real HTTP server on 127.0.0.1 for import tests (cpp-httplib in the test process):
//   GET  /files/NAME                     registered bytes, with Range (206) support
//   GET  /lfs/OID                        Git LFS objects (the batch API's hrefs)
//   POST ANY.git/info/lfs/objects/batch  the Git LFS batch API (basic transfer, sha256)
//   GET  /MOUNT/...                      static directories (dumb-HTTP git repositories)
// Knobs make downloads break (close the connection half way), go slowly or serve wrong bytes,
// and every request is logged with its Range header.
#pragma once

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace fogline::registry::testing {

class LoopbackServer {
 public:
  LoopbackServer() {
    server_.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      std::string range = req.get_header_value("Range");
      log_.push_back(req.method + " " + req.path + (range.empty() ? "" : " " + range) + " -> " + std::to_string(res.status));
    });
    server_.Get(R"(/files/(.+))", [this](const httplib::Request& req, httplib::Response& res) {
      serve(files_, req.matches[1], req, res);
    });
    server_.Get(R"(/lfs/([0-9a-f]{64}))", [this](const httplib::Request& req, httplib::Response& res) {
      serve(lfs_, req.matches[1], req, res);
    });
    server_.Post(R"((.*)\.git/info/lfs/objects/batch)", [this](const httplib::Request& req, httplib::Response& res) {
      batch(req, res);
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 500 && !server_.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ~LoopbackServer() {
    server_.stop();
    thread_.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void add_file(const std::string& name, const std::string& bytes, std::map<std::string, std::string> headers = {}) {
    std::lock_guard<std::mutex> lock(mu_);
    files_[name] = {bytes, std::move(headers)};
  }
  void add_lfs_object(const std::string& oid, const std::string& bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    lfs_[oid] = {bytes, {}};
  }
  void mount(const std::string& prefix, const std::string& dir) { server_.set_mount_point(prefix, dir); }
  std::vector<std::string> log() const {
    std::lock_guard<std::mutex> lock(mu_);
    return log_;
  }
  bool logged(const std::string& needle) const {
    auto l = log();
    return std::any_of(l.begin(), l.end(), [&](const std::string& s) { return s.find(needle) != std::string::npos; });
  }

  std::atomic<int> break_next{0};         // this many GETs close the connection half way
  std::atomic<bool> break_always{false};  // every GET does
  std::atomic<int> chunk_delay_ms{0};     // pause per 4 KiB sent
  std::atomic<bool> flip_a_byte{false};   // serve corrupted bytes

 private:
  struct Blob {
    std::string bytes;
    std::map<std::string, std::string> headers;
  };

  void serve(const std::map<std::string, Blob>& blobs, const std::string& name, const httplib::Request&, httplib::Response& res) {
    Blob blob;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = blobs.find(name);
      if (it == blobs.end()) {
        res.status = 404;
        return;
      }
      blob = it->second;
    }
    if (flip_a_byte) blob.bytes[blob.bytes.size() / 2] ^= 0x5a;
    for (const auto& [k, v] : blob.headers) res.set_header(k, v);
    bool cut = break_always || break_next.fetch_sub(1) > 0;
    auto data = std::make_shared<std::string>(std::move(blob.bytes));
    // httplib applies the request's Range to the provider (offset, length) and answers 206.
    res.set_content_provider(data->size(), "application/octet-stream",
                             [this, data, cut](size_t offset, size_t length, httplib::DataSink& sink) {
                               // A cut connection ends at the middle of the file, wherever it started.
                               size_t n = std::min<size_t>(length, 4096);
                               if (cut && offset + n > data->size() / 2) return false;
                               if (int d = chunk_delay_ms.load()) std::this_thread::sleep_for(std::chrono::milliseconds(d));
                               sink.write(data->data() + offset, n);
                               return true;
                             });
  }

  void batch(const httplib::Request& req, httplib::Response& res) {
    nlohmann::json out = {{"transfer", "basic"}, {"objects", nlohmann::json::array()}, {"hash_algo", "sha256"}};
    try {
      auto body = nlohmann::json::parse(req.body);
      if (body.at("operation") != "download" || req.get_header_value("Accept") != "application/vnd.git-lfs+json") {
        res.status = 422;
        return;
      }
      for (const auto& obj : body.at("objects")) {
        std::string oid = obj.at("oid");
        std::lock_guard<std::mutex> lock(mu_);
        if (!lfs_.count(oid)) {
          out["objects"].push_back({{"oid", oid}, {"size", obj.at("size")}, {"error", {{"code", 404}, {"message", "Object does not exist"}}}});
          continue;
        }
        out["objects"].push_back({{"oid", oid},
                                  {"size", obj.at("size")},
                                  {"authenticated", true},
                                  {"actions", {{"download", {{"href", url() + "/lfs/" + oid}, {"header", {{"X-Test-Token", "t0k"}}}, {"expires_in", 3600}}}}}});
      }
    } catch (const std::exception&) {
      res.status = 400;
      return;
    }
    res.set_content(out.dump(), "application/vnd.git-lfs+json");
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mu_;
  std::vector<std::string> log_;
  std::map<std::string, Blob> files_, lfs_;
};

}  // namespace fogline::registry::testing
