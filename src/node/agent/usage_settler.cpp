#include "node/agent/usage_settler.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/file_util.h"
#include "core/sha256.h"
#include "ledger/transaction.h"
#include "ledger/usage_report.h"

namespace fogline::node::agent {

namespace fs = std::filesystem;

std::vector<SettleOutcome> UsageSettler::round(std::string* transient) {
  transient->clear();
  std::vector<SettleOutcome> done;
  std::error_code ec;
  if (!fs::is_directory(rentals_dir_, ec)) return done;
  std::vector<std::string> rentals;
  for (const auto& e : fs::directory_iterator(rentals_dir_, ec))
    if (e.is_directory(ec)) rentals.push_back(e.path().filename().string());
  std::sort(rentals.begin(), rentals.end());
  for (const auto& rental_hex : rentals) {
    if (!ledger::hash_from_hex(rental_hex, "rental id").is_ok()) continue;  // not a meter directory
    const std::string dir = rentals_dir_ + "/" + rental_hex;
    for (const auto& file : rental::batch_files_in(dir, {rental::kBatchReports})) {
      SettleOutcome out;
      // In order: a batch left for later holds back the ones after it (they follow from it).
      if (!settle_one(dir, rental_hex, file, &out, transient)) break;
      done.push_back(std::move(out));
    }
  }
  return done;
}

bool UsageSettler::settle_one(const std::string& dir, const std::string& rental_hex, const std::string& file,
                              SettleOutcome* out, std::string* transient) {
  out->rental = rental_hex;
  out->batch = file;
  auto reject = [&](const std::string& why) {
    out->settled = false;
    out->error = why;
    keep_aside(file, why);
    return true;
  };
  auto rental = ledger::hash_from_hex(rental_hex, "rental id");
  auto reports = ledger::read_usage_reports(file);
  if (!reports.is_ok()) return reject(reports.status().message());
  // Where the ledger's count of this node stands: the last report of the newest settled batch.
  uint64_t settled_sequence = 0, settled_inferences = 0;
  auto settled = rental::batch_files_in(dir, {rental::kBatchSettled});
  if (!settled.empty()) {
    auto prev = ledger::read_usage_reports(settled.back());
    if (!prev.is_ok()) {
      *transient = "cannot read the last settled batch: " + prev.status().message();
      return false;
    }
    settled_sequence = prev->back().sequence;
    settled_inferences = prev->back().inferences;
  }
  if (reports->front().node != identity_.sign_public())
    return reject("the reports are signed by node " + ledger::short_key(reports->front().node) + ", not this node");
  auto tx = ledger::settle_batch(*rental, settled_sequence, settled_inferences, *reports);
  if (!tx.is_ok()) return reject(tx.status().message());
  out->inferences = tx->inferences;

  uint64_t nonce = 0;
  if (!next_nonce(&nonce, transient)) return false;
  nlohmann::json result;
  for (int attempt = 0;; ++attempt) {
    ledger::Transaction signed_tx = ledger::make_transaction(ledger::UsageSettleTx::kCode, identity_, nonce, tx->encode());
    if (!submit(signed_tx, &result, transient)) return false;
    if (result.value("status", "") == "committed") break;
    // A stale nonce (the hub did not tell us ours, or another transaction of this account took
    // it): the ledger names the one it expects; try once more with it.
    const std::string why = result.value("error", std::string());
    size_t at = why.find(", expected ");
    if (why.find("nonce ") != std::string::npos && at != std::string::npos) {
      if (attempt > 0) {
        *transient = "the ledger: " + why;
        return false;
      }
      nonce = std::strtoull(why.c_str() + at + 11, nullptr, 10);
      continue;
    }
    break;
  }
  // A refused transaction leaves the account's nonce where it was; a committed one moves it.
  bool committed = result.value("status", "") == "committed";
  known_nonce_ = committed ? nonce + 1 : nonce;
  if (!committed) {
    // Refused as a replay of what the ledger already settled through this batch's end: our
    // earlier send was committed and only its answer was lost. Settled, not to be kept aside.
    const std::string why = result.value("error", std::string());
    const std::string mark = "already settled (up to ";
    size_t at = why.find(mark);
    if (at != std::string::npos && std::strtoull(why.c_str() + at + mark.size(), nullptr, 10) >= tx->last_sequence) {
      committed = true;
      result["id"] = "(committed earlier)";
    }
  }
  if (committed) {
    std::string to = file.substr(0, file.size() - std::strlen(rental::kBatchReports)) + rental::kBatchSettled;
    std::error_code ec;
    fs::rename(file, to, ec);
    if (ec) {
      // Committed, so it must not go out again: say so loudly; the ledger would refuse it as a replay.
      *transient = "settled, but cannot rename " + file + " -> " + to + ": " + ec.message();
      return false;
    }
    out->settled = true;
    out->tx_id = result.value("id", "");
    out->height = result.value("height", uint64_t{0});
    return true;
  }
  return reject("the ledger refused it: " + result.value("error", std::string("rejected")));
}

bool UsageSettler::next_nonce(uint64_t* nonce, std::string* transient) {
  auto acc = client_.request("GET", "/api/ledger/accounts/" + ledger::key_hex(identity_.sign_public()));
  if (!acc.is_ok()) {
    *transient = "the hub's ledger: " + acc.status().message();
    return false;
  }
  if (acc->status == 401 || acc->status == 403) {
    // A hub that lets only API tokens read accounts: what this node learned (from 0); the
    // ledger's refusal of a stale one says which it expects.
    *nonce = known_nonce_;
    return true;
  }
  if (acc->status != 200) {
    *transient = "GET /api/ledger/accounts/" + ledger::short_key(identity_.sign_public()) + ": " +
                 std::to_string(acc->status) + " " + acc->error_text();
    return false;
  }
  auto aj = nlohmann::json::parse(acc->body, nullptr, false);
  if (!aj.is_object() || !aj.contains("next_nonce") || !aj["next_nonce"].is_number_unsigned()) {
    *transient = "the hub's ledger answered an account without next_nonce: " + acc->body.substr(0, 200);
    return false;
  }
  *nonce = aj["next_nonce"].get<uint64_t>();
  return true;
}

bool UsageSettler::submit(const ledger::Transaction& tx, nlohmann::json* result, std::string* transient) {
  nlohmann::json body = {{"transactions", {to_hex(tx.encode())}}};
  auto sent = client_.request("POST", "/api/ledger/transactions", body.dump(), {{"Content-Type", "application/json"}});
  if (!sent.is_ok()) {
    // Sent or not, the ledger decides: a commit we did not hear about comes back as a replay.
    *transient = "POST /api/ledger/transactions: " + sent.status().message();
    return false;
  }
  auto rj = nlohmann::json::parse(sent->body, nullptr, false);
  if ((sent->status != 200 && sent->status != 400) || !rj.is_object() || !rj.contains("results") ||
      !rj["results"].is_array() || rj["results"].size() != 1 || !rj["results"][0].is_object()) {
    *transient = "POST /api/ledger/transactions: " + std::to_string(sent->status) + " " + sent->error_text();
    return false;
  }
  *result = rj["results"][0];
  return true;
}

std::vector<std::string> UsageSettler::sync_allowances(rental::RentalRegistry& rentals, std::string* transient) {
  transient->clear();
  std::vector<std::string> changed;
  const std::string me = ledger::key_hex(identity_.sign_public());
  for (const auto& meter : rentals.meters()) {
    const std::string& id = meter->terms().rental;
    auto got = client_.request("GET", "/api/ledger/rentals/" + id);
    if (!got.is_ok() || got->status != 200) {
      // No ledger on this hub, or one without this rental: the terms' count stays.
      *transient = "GET /api/ledger/rentals/" + id.substr(0, 16) + ": " +
                   (got.is_ok() ? std::to_string(got->status) + " " + got->error_text() : got.status().message());
      continue;
    }
    auto j = nlohmann::json::parse(got->body, nullptr, false);
    if (!j.is_object() || !j.contains("nodes") || !j["nodes"].is_array()) continue;
    const nlohmann::json* mine = nullptr;
    for (const auto& n : j["nodes"])
      if (n.is_object() && n.value("node", std::string()) == me) mine = &n;
    if (!mine) continue;  // not this node's rental on this ledger: RentalMeter::open refuses such terms
    // No allowance (no price: economy = off): the ledger sets no limit, so the terms' count stays.
    uint64_t limit = meter->terms().prepaid_inferences;
    if (mine->contains("allowance") && (*mine)["allowance"].is_number_unsigned()) limit = (*mine)["allowance"].get<uint64_t>();
    std::string reason;
    if (j.value("exhausted", false)) reason = j.value("reason", std::string("the rental is exhausted"));
    if (meter->set_allowance(limit, reason)) {
      rental::MeterSnapshot s = meter->snapshot();
      changed.push_back("rental " + id.substr(0, 16) + " of " + meter->terms().label() + ": the ledger allows this node " +
                        (limit == rental::kUnlimited ? std::string("any count") : std::to_string(limit)) + " (" +
                        std::to_string(s.inferences) + " counted" + (reason.empty() ? "" : "; exhausted: " + reason) + ")");
    }
  }
  return changed;
}

void UsageSettler::keep_aside(const std::string& file, const std::string& why) {
  const std::string base = file.substr(0, file.size() - std::strlen(rental::kBatchReports)) + rental::kBatchRejected;
  Status st = write_file_atomic(base + ".why", why + "\n");
  std::error_code ec;
  fs::rename(file, base, ec);
  if (!st.is_ok() || ec)
    std::fprintf(stderr, "agent: cannot keep %s aside: %s\n", file.c_str(), ec ? ec.message().c_str() : st.message().c_str());
}

}  // namespace fogline::node::agent
