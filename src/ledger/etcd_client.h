// A small client for etcd's v3 HTTP/JSON gateway (etcd 3.4: POST /v3/kv/range, /v3/kv/put,
// /v3/kv/txn; keys and values base64, 64-bit numbers as JSON strings). It knows every member
// of the cluster and moves to the next one when a member is down or answers with an error
// (no leader, timeout), so a peer keeps going while a minority of the cluster is dead.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace fogline::ledger {

struct EtcdKeyValue {
  std::string key, value;
  int64_t create_revision = 0, mod_revision = 0;
};

struct EtcdMemberStatus {
  std::string endpoint;
  bool up = false, leader = false;
  std::string version, error;
};

struct EtcdOptions {
  int connect_timeout_ms = 1000;
  int io_timeout_ms = 5000;
  // A call keeps trying the members (with short pauses) for this long before it fails: long
  // enough to ride out a leader election on a loaded machine.
  int call_deadline_ms = 20000;
};

class EtcdClient {
 public:
  // endpoints: "http://127.0.0.1:2379,http://127.0.0.1:22379" (comma-separated).
  static Result<EtcdClient> connect(const std::string& endpoints, EtcdOptions options = {});

  // Keys in [from, end) in key order, at most `limit` (0: no limit); descending when asked.
  Result<std::vector<EtcdKeyValue>> range(const std::string& from, const std::string& end, int64_t limit,
                                          bool descending = false);
  Result<std::optional<std::string>> get(const std::string& key);
  Status put(const std::string& key, const std::string& value);
  // Writes `key` only if it does not exist (a txn comparing its create_revision with 0);
  // false when it already existed. An ambiguous failure (the member died after forwarding the
  // write) is an error; the caller can read the key to find out.
  Result<bool> put_if_absent(const std::string& key, const std::string& value);

  // Asks every member itself (POST /v3/maintenance/status): is it up, is it the leader.
  std::vector<EtcdMemberStatus> member_statuses();

  const std::vector<std::string>& endpoints() const { return endpoints_; }

 private:
  Result<std::string> call(const std::string& path, const std::string& json_body);
  // One attempt on one member; io_error when it did not answer or answered 5xx.
  Result<std::string> call_one(size_t member, const std::string& path, const std::string& json_body);
  std::vector<std::string> endpoints_;
  size_t current_ = 0;  // the member that answered last
  EtcdOptions options_;
};

// The key just past every key that starts with `prefix` (etcd's range_end for a prefix).
std::string prefix_end(std::string prefix);
std::string base64_encode(std::string_view bytes);
Result<std::string> base64_decode(std::string_view text);

}  // namespace fogline::ledger
