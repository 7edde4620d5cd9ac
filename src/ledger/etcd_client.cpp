#include "ledger/etcd_client.h"

#include <httplib.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

namespace fogline::ledger {

namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

int64_t json_int(const nlohmann::json& j, const char* field) {
  // The gateway writes int64 fields as strings and leaves out the ones that are zero.
  if (!j.contains(field)) return 0;
  const auto& v = j.at(field);
  if (v.is_string()) return std::stoll(v.get<std::string>());
  return v.get<int64_t>();
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kB64[(v >> s) & 63]);
  }
  if (i < bytes.size()) {
    uint32_t v = uint8_t(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= uint8_t(bytes[i + 1]) << 8;
    out.push_back(kB64[(v >> 18) & 63]);
    out.push_back(kB64[(v >> 12) & 63]);
    out.push_back(i + 1 < bytes.size() ? kB64[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return invalid_argument("base64: length " + std::to_string(text.size()) + " is not a multiple of 4");
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      char c = text[i + k];
      if (c == '=' && i + 4 == text.size() && k >= 2) {
        v[k] = 0;
        ++pad;
        continue;
      }
      if (pad) return invalid_argument("base64: data after padding");
      v[k] = b64_value(c);
      if (v[k] < 0) return invalid_argument("base64: invalid character at offset " + std::to_string(i + k));
    }
    uint32_t w = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out.push_back(static_cast<char>(w >> 16));
    if (pad < 2) out.push_back(static_cast<char>((w >> 8) & 0xff));
    if (pad < 1) out.push_back(static_cast<char>(w & 0xff));
  }
  return out;
}

std::string prefix_end(std::string prefix) {
  // Increment the last byte that is not 0xff, dropping the 0xff ones after it.
  while (!prefix.empty()) {
    unsigned char last = static_cast<unsigned char>(prefix.back());
    if (last < 0xff) {
      prefix.back() = static_cast<char>(last + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return std::string(1, '\0');  // every key
}

Result<EtcdClient> EtcdClient::connect(const std::string& endpoints, EtcdOptions options) {
  EtcdClient c;
  c.options_ = options;
  size_t start = 0;
  while (start <= endpoints.size()) {
    size_t comma = endpoints.find(',', start);
    std::string ep = endpoints.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!ep.empty()) {
      if (ep.rfind("http://", 0) != 0)
        return invalid_argument("etcd endpoint '" + ep + "': expected http://host:port (the v3 gateway, no TLS)");
      while (!ep.empty() && ep.back() == '/') ep.pop_back();
      c.endpoints_.push_back(ep);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (c.endpoints_.empty()) return invalid_argument("no etcd endpoint given (expected http://host:port[,http://...])");
  return c;
}

Result<std::string> EtcdClient::call_one(size_t member, const std::string& path, const std::string& json_body) {
  httplib::Client cli(endpoints_[member]);
  cli.set_connection_timeout(options_.connect_timeout_ms / 1000, (options_.connect_timeout_ms % 1000) * 1000);
  cli.set_read_timeout(options_.io_timeout_ms / 1000, (options_.io_timeout_ms % 1000) * 1000);
  cli.set_write_timeout(options_.io_timeout_ms / 1000, (options_.io_timeout_ms % 1000) * 1000);
  auto res = cli.Post(path.c_str(), json_body, "application/json");
  if (!res) return io_error(endpoints_[member] + ": " + httplib::to_string(res.error()));
  if (res->status == 200) return res->body;
  std::string what = endpoints_[member] + path + ": HTTP " + std::to_string(res->status) + " " + res->body.substr(0, 200);
  // 5xx: this member cannot serve now (no leader, timed out, shutting down); another may.
  if (res->status >= 500) return io_error(what);
  return invalid_argument("etcd " + what);
}

Result<std::string> EtcdClient::call(const std::string& path, const std::string& json_body) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::milliseconds(options_.call_deadline_ms);
  std::string last_error;
  while (true) {
    for (size_t k = 0; k < endpoints_.size(); ++k) {
      size_t idx = (current_ + k) % endpoints_.size();
      auto body = call_one(idx, path, json_body);
      if (body.is_ok()) {
        current_ = idx;
        return body;
      }
      if (body.status().code() != StatusCode::kIoError) return body.status();
      last_error = body.status().message();
    }
    if (Clock::now() >= deadline) return io_error("no etcd member answered " + path + "; last error: " + last_error);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

std::vector<EtcdMemberStatus> EtcdClient::member_statuses() {
  std::vector<EtcdMemberStatus> out;
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    EtcdMemberStatus m;
    m.endpoint = endpoints_[i];
    auto body = call_one(i, "/v3/maintenance/status", "{}");
    if (!body.is_ok()) {
      m.error = body.status().message();
    } else {
      try {
        auto j = nlohmann::json::parse(*body);
        m.up = true;
        m.version = j.value("version", std::string());
        m.leader = j.contains("leader") && j.at("header").contains("member_id") &&
                   j.at("leader") == j.at("header").at("member_id");
      } catch (const std::exception& e) {
        m.error = e.what();
      }
    }
    out.push_back(std::move(m));
  }
  return out;
}

Result<std::vector<EtcdKeyValue>> EtcdClient::range(const std::string& from, const std::string& end, int64_t limit,
                                                    bool descending) {
  nlohmann::json req = {{"key", base64_encode(from)}, {"range_end", base64_encode(end)}};
  if (limit > 0) req["limit"] = std::to_string(limit);
  if (descending) {
    req["sort_order"] = "DESCEND";
    req["sort_target"] = "KEY";
  }
  FOGLINE_ASSIGN_OR_RETURN(std::string body, call("/v3/kv/range", req.dump()));
  std::vector<EtcdKeyValue> out;
  try {
    auto j = nlohmann::json::parse(body);
    if (!j.contains("kvs")) return out;
    for (const auto& kv : j.at("kvs")) {
      EtcdKeyValue e;
      FOGLINE_ASSIGN_OR_RETURN(e.key, base64_decode(kv.value("key", std::string())));
      FOGLINE_ASSIGN_OR_RETURN(e.value, base64_decode(kv.value("value", std::string())));
      e.create_revision = json_int(kv, "create_revision");
      e.mod_revision = json_int(kv, "mod_revision");
      out.push_back(std::move(e));
    }
  } catch (const std::exception& e) {
    return invalid_argument(std::string("etcd /v3/kv/range answer: ") + e.what());
  }
  return out;
}

Result<std::optional<std::string>> EtcdClient::get(const std::string& key) {
  nlohmann::json req = {{"key", base64_encode(key)}};
  FOGLINE_ASSIGN_OR_RETURN(std::string body, call("/v3/kv/range", req.dump()));
  try {
    auto j = nlohmann::json::parse(body);
    if (!j.contains("kvs") || j.at("kvs").empty()) return std::optional<std::string>();
    FOGLINE_ASSIGN_OR_RETURN(std::string v, base64_decode(j.at("kvs").at(0).value("value", std::string())));
    return std::optional<std::string>(std::move(v));
  } catch (const std::exception& e) {
    return invalid_argument(std::string("etcd /v3/kv/range answer: ") + e.what());
  }
}

Status EtcdClient::put(const std::string& key, const std::string& value) {
  nlohmann::json req = {{"key", base64_encode(key)}, {"value", base64_encode(value)}};
  return call("/v3/kv/put", req.dump()).status();
}

Result<bool> EtcdClient::put_if_absent(const std::string& key, const std::string& value) {
  std::string k = base64_encode(key);
  nlohmann::json req = {
      {"compare", {{{"key", k}, {"result", "EQUAL"}, {"target", "CREATE"}, {"create_revision", "0"}}}},
      {"success", {{{"request_put", {{"key", k}, {"value", base64_encode(value)}}}}}}};
  FOGLINE_ASSIGN_OR_RETURN(std::string body, call("/v3/kv/txn", req.dump()));
  try {
    return nlohmann::json::parse(body).value("succeeded", false);
  } catch (const std::exception& e) {
    return invalid_argument(std::string("etcd /v3/kv/txn answer: ") + e.what());
  }
}

}  // namespace fogline::ledger
