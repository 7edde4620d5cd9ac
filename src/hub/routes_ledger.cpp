// The embedded orderer's routes (hub_ledger.h): submit signed transactions, read the chain's
// status, accounts (for the next nonce), blocks and inclusion proofs. Transactions are signed
// by their senders (the ledger checks signature, nonce and state), so the route's role only
// says who may hand them to this orderer: developers, or enrolled nodes (a renting node
// settling its usage). Without a ledger home every route answers 404 and says how to start one.
#include "core/sha256.h"
#include "hub/hub_ledger.h"
#include "hub/route.h"
#include "ledger/home_session.h"
#include "ledger/proof_file.h"
#include "ledger/rental_view.h"
#include "ledger/tx_type.h"

namespace fogline::hub {

namespace {

// Submissions per request: one block each, so a request is bounded work under the hub's lock.
constexpr size_t kMaxSubmit = 1000;

Result<HubLedger*> hub_ledger_or_404(HubContext& ctx) {
  if (!ctx.ledger)
    return not_found("this hub runs no ledger: start it with --ledger-home DIR (or $FOGLINE_HUB_LEDGER_HOME), "
                     "a home made by 'fogline ledger init'");
  return ctx.ledger;
}

Json header_json(const ledger::BlockHeader& h) {
  Json j{{"height", h.height},
         {"hash", ledger::hash_hex(h.hash())},
         {"prev_hash", ledger::hash_hex(h.prev_hash)},
         {"tx_root", ledger::hash_hex(h.tx_root)},
         {"tx_count", h.tx_count},
         {"log_size", h.log_size},
         {"log_root", ledger::hash_hex(h.log_root)},
         {"timestamp_ms", h.timestamp_ms},
         {"orderer", ledger::key_hex(h.orderer)}};
  return j;
}

Result<uint64_t> ledger_query_u64(const RouteRequest& req, const std::string& key, uint64_t fallback) {
  if (!req.has_query(key)) return fallback;
  const std::string v = req.query_or(key);
  char* end = nullptr;
  unsigned long long n = std::strtoull(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || v[0] == '-') return invalid_argument("query '" + key + "' must be a non-negative integer, got '" + v + "'");
  return static_cast<uint64_t>(n);
}

}  // namespace

Result<Reply> handle_ledger_status(HubContext& ctx, const RouteRequest&) {
  FOGLINE_ASSIGN_OR_RETURN(HubLedger * hl, hub_ledger_or_404(ctx));
  const ledger::Ledger& l = *hl->ledger;
  const ledger::State& s = l.state();
  Reply r;
  r.json = {{"chain", s.chain_name},
            {"economy", ledger::economy_name(s.economy)},
            {"ordering", "solo orderer embedded in the hub"},
            {"orderer", ledger::key_hex(s.orderer)},
            {"height", s.height},
            {"transactions", s.tx_count},
            {"head", ledger::hash_hex(l.chain().head_hash())},
            {"log_size", l.chain().log().size()},
            {"log_root", ledger::hash_hex(l.chain().log().root())},
            {"accounts", s.accounts().size()},
            {"models", s.models().size()},
            {"rentals", s.rentals().size()}};
  if (s.economy == ledger::Economy::kCredits) r.json["credits"] = s.total_credits();
  return r;
}

Result<Reply> handle_ledger_account(HubContext& ctx, const RouteRequest& req) {
  FOGLINE_ASSIGN_OR_RETURN(HubLedger * hl, hub_ledger_or_404(ctx));
  const ledger::State& s = hl->ledger->state();
  FOGLINE_ASSIGN_OR_RETURN(ledger::PublicKey key, ledger::find_account(s, req.path.at("account")));
  const ledger::Account* a = s.account(key);
  if (!a) return not_found("no account " + req.path.at("account") + " on the ledger");
  Reply r;
  r.json = {{"key", ledger::key_hex(key)},
            {"name", a->name},
            {"kind", crypto::identity_kind_name(a->kind)},
            {"next_nonce", a->next_nonce}};
  if (a->balance) r.json["balance"] = *a->balance;
  return r;
}

// Nodes read it each round: what others settled reaches their meters (node/agent/usage_settler.h).
Result<Reply> handle_ledger_rental(HubContext& ctx, const RouteRequest& req) {
  FOGLINE_ASSIGN_OR_RETURN(HubLedger * hl, hub_ledger_or_404(ctx));
  const ledger::State& s = hl->ledger->state();
  FOGLINE_ASSIGN_OR_RETURN(ledger::Hash id, ledger::hash_from_hex(req.path.at("rental"), "rental id"));
  const ledger::Rental* rental = s.rental(id);
  if (!rental) return not_found("no rental " + req.path.at("rental") + " on the ledger");
  Reply r;
  r.json = ledger::rental_state_json(s, id, *rental);
  return r;
}

Result<Reply> handle_ledger_submit(HubContext& ctx, const RouteRequest& req) {
  FOGLINE_ASSIGN_OR_RETURN(HubLedger * hl, hub_ledger_or_404(ctx));
  FOGLINE_ASSIGN_OR_RETURN(Json body, req.json_body());
  if (!body.contains("transactions") || !body["transactions"].is_array() || body["transactions"].empty())
    return invalid_argument("expected {\"transactions\": [\"HEX\", ...]}: signed transaction encodings (docs/formats/ledger.md)");
  if (body["transactions"].size() > kMaxSubmit)
    return invalid_argument("at most " + std::to_string(kMaxSubmit) + " transactions per request, got " +
                            std::to_string(body["transactions"].size()));
  std::vector<ledger::Transaction> txs;
  for (size_t i = 0; i < body["transactions"].size(); ++i) {
    const Json& item = body["transactions"][i];
    std::string where = "transactions[" + std::to_string(i) + "]";
    if (!item.is_string()) return invalid_argument(where + " must be a hex string");
    auto bytes = from_hex(item.get<std::string>());
    if (!bytes.is_ok()) return invalid_argument(where + ": " + bytes.status().message());
    auto tx = ledger::Transaction::decode(*bytes);
    if (!tx.is_ok()) return invalid_argument(where + ": " + tx.status().message());
    txs.push_back(std::move(tx).value());
  }
  FOGLINE_ASSIGN_OR_RETURN(ledger::SubmitResult done, hl->ledger->submit(txs, *hl->orderer));
  Reply r;
  Json results = Json::array();
  for (size_t i = 0; i < done.ids.size(); ++i) {
    Json one{{"id", ledger::hash_hex(done.ids[i])}, {"type", ledger::tx_type_name(txs[i].type)}};
    if (done.statuses[i].is_ok()) {
      one["status"] = "committed";
      one["height"] = done.height;
    } else {
      one["status"] = "rejected";
      one["error"] = done.statuses[i].message();
    }
    results.push_back(std::move(one));
  }
  r.json = {{"accepted", done.accepted}, {"rejected", txs.size() - done.accepted}, {"results", results}};
  if (done.accepted) r.json["height"] = done.height;
  // All refused: the request changed nothing, and says why per transaction.
  if (done.accepted == 0) r.status = 400;
  std::fprintf(stderr, "fogline hub: ledger: %zu of %zu transactions from %s committed%s\n", done.accepted, txs.size(),
               req.caller.actor().c_str(),
               done.accepted ? (" in block " + std::to_string(done.height)).c_str() : "");
  return r;
}

Result<Reply> handle_ledger_blocks(HubContext& ctx, const RouteRequest& req) {
  FOGLINE_ASSIGN_OR_RETURN(HubLedger * hl, hub_ledger_or_404(ctx));
  const auto& headers = hl->ledger->chain().headers();
  FOGLINE_ASSIGN_OR_RETURN(uint64_t from, ledger_query_u64(req, "from", 0));
  FOGLINE_ASSIGN_OR_RETURN(uint64_t limit, ledger_query_u64(req, "limit", 100));
  if (limit == 0 || limit > 1000) return invalid_argument("query 'limit' must be 1..1000");
  Reply r;
  Json blocks = Json::array();
  for (uint64_t h = from; h < headers.size() && h < from + limit; ++h) blocks.push_back(header_json(headers[h]));
  r.json = {{"height", hl->ledger->state().height}, {"blocks", blocks}};
  return r;
}

Result<Reply> handle_ledger_block(HubContext& ctx, const RouteRequest& req) {
  FOGLINE_ASSIGN_OR_RETURN(HubLedger * hl, hub_ledger_or_404(ctx));
  const std::string& text = req.path.at("height");
  char* end = nullptr;
  unsigned long long height = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || text[0] == '-') return invalid_argument("block height '" + text + "' is not a number");
  if (height >= hl->ledger->chain().headers().size())
    return not_found("no block " + text + " (the chain has " + std::to_string(hl->ledger->chain().headers().size()) +
                     " blocks)");
  FOGLINE_ASSIGN_OR_RETURN(ledger::Block b, hl->ledger->read_block(height));
  Reply r;
  r.json = header_json(b.header);
  r.json["signature_valid"] = b.signature_valid();
  Json txs = Json::array();
  for (size_t i = 0; i < b.txs.size(); ++i) {
    const ledger::Transaction& tx = b.txs[i];
    txs.push_back({{"id", ledger::hash_hex(ledger::sha256(b.tx_bytes[i]))},
                   {"type", ledger::tx_type_name(tx.type)},
                   {"sender", ledger::key_hex(tx.sender)},
                   {"nonce", tx.nonce},
                   {"describe", ledger::describe_transaction(tx)},
                   {"encoding", to_hex(b.tx_bytes[i])}});
  }
  r.json["transactions"] = std::move(txs);
  r.json["encoding"] = to_hex(b.encode());
  return r;
}

Result<Reply> handle_ledger_proof(HubContext& ctx, const RouteRequest& req) {
  FOGLINE_ASSIGN_OR_RETURN(HubLedger * hl, hub_ledger_or_404(ctx));
  FOGLINE_ASSIGN_OR_RETURN(ledger::Hash id, ledger::hash_from_hex(req.path.at("tx"), "transaction id"));
  FOGLINE_ASSIGN_OR_RETURN(uint64_t size, ledger_query_u64(req, "size", 0));
  FOGLINE_ASSIGN_OR_RETURN(ledger::TxProof p, hl->ledger->prove(id, size));
  Reply r;
  Json path = Json::array();
  for (const auto& h : p.path) path.push_back(ledger::hash_hex(h));
  r.json = {{"tx", ledger::hash_hex(p.tx_id)},
            {"height", p.height},
            {"log_index", p.log_index},
            {"log_size", p.log_size},
            {"log_root", ledger::hash_hex(p.log_root)},
            {"path", path},
            {"proof_file", ledger::write_proof_file(p)}};
  return r;
}

}  // namespace fogline::hub
