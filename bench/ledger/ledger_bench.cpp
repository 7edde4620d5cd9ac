// fogline_ledger_bench: how fast the ledger validates and applies signed transactions, builds
// and checks proofs, and replays a chain from disk. Prints one line per figure; the commands and
// results go into docs/benchmarks.md.
//   fogline_ledger_bench [--txs N] [--block B] [--threads T] [--replay N] [--dir DIR] [--skip-replay]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <future>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ledger/block_store.h"
#include "ledger/chain.h"
#include "ledger/ledger.h"
#include "ledger/tx/genesis.h"
#include "ledger/tx/mint.h"
#include "ledger/tx/register_account.h"
#include "ledger/tx/transfer.h"
#include "ledger/verify.h"

using namespace fogline;
using namespace fogline::ledger;
using crypto::Identity;
using crypto::IdentityKind;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

struct Options {
  size_t txs = 100000, block = 1000, accounts = 1000, replay = 1000000;
  int threads = 2;
  std::string dir = "/tmp/fogline-ledger-bench";
  bool skip_replay = false;
};

// A chain with a genesis (credits), `n` registered accounts each holding credits.
struct World {
  Identity orderer = Identity::generate(IdentityKind::kOrganisation, "orderer");
  Identity mint = Identity::generate(IdentityKind::kOrganisation, "mint");
  std::vector<Identity> users;
  std::vector<uint64_t> nonces;
  std::vector<Block> setup_blocks;
};

Block build(Chain& chain, const Identity& orderer, std::vector<Transaction> txs) {
  std::vector<std::string> bytes;
  for (const auto& t : txs) bytes.push_back(t.encode());
  return chain.make_block(std::move(txs), std::move(bytes), orderer, 1);
}

World make_world(size_t n, Chain& chain) {
  World w;
  GenesisTx g;
  g.chain_name = "bench";
  g.economy = Economy::kCredits;
  g.orderer_name = "orderer";
  g.orderer_box_public = w.orderer.box_public();
  g.mint_authority = w.mint.sign_public();
  auto apply = [&](std::vector<Transaction> txs) {
    Block b = build(chain, w.orderer, std::move(txs));
    Status st = chain.apply_block(b);
    if (!st.is_ok()) {
      std::fprintf(stderr, "setup block refused: %s\n", st.to_string().c_str());
      std::exit(1);
    }
    w.setup_blocks.push_back(std::move(b));
  };
  apply({make_transaction(GenesisTx::kCode, w.orderer, 0, g.encode())});
  RegisterAccountTx r;
  r.kind = IdentityKind::kOrganisation;
  r.name = "mint";
  r.box_public = w.mint.box_public();
  apply({make_transaction(RegisterAccountTx::kCode, w.mint, 0, r.encode())});
  std::vector<Transaction> regs, mints;
  for (size_t i = 0; i < n; ++i) {
    w.users.push_back(Identity::generate(IdentityKind::kUser, "u" + std::to_string(i)));
    RegisterAccountTx u;
    u.kind = IdentityKind::kUser;
    u.name = "u" + std::to_string(i);
    u.box_public = w.users.back().box_public();
    regs.push_back(make_transaction(RegisterAccountTx::kCode, w.users.back(), 0, u.encode()));
    MintTx m;
    m.to = w.users.back().sign_public();
    m.amount = 1'000'000'000;
    mints.push_back(make_transaction(MintTx::kCode, w.mint, 1 + i, m.encode()));
  }
  apply(std::move(regs));
  apply(std::move(mints));
  w.nonces.assign(n, 1);
  return w;
}

// `count` signed transfers, round-robin over senders, signed on `threads` threads.
std::vector<Transaction> sign_transfers(World& w, size_t count, int threads) {
  std::vector<Transaction> txs(count);
  size_t n = w.users.size();
  std::vector<uint64_t> base = w.nonces;
  auto work = [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      size_t from = i % n, to = (i * 7 + 1) % n;
      if (to == from) to = (to + 1) % n;
      TransferTx t;
      t.to = w.users[to].sign_public();
      t.amount = 1 + i % 5;
      txs[i] = make_transaction(TransferTx::kCode, w.users[from], base[from] + i / n, t.encode());
    }
  };
  std::vector<std::thread> pool;
  size_t chunk = (count + threads - 1) / threads;
  for (int t = 0; t < threads; ++t) pool.emplace_back(work, t * chunk, std::min(count, (t + 1) * chunk));
  for (auto& th : pool) th.join();
  for (size_t i = 0; i < n; ++i) w.nonces[i] = base[i] + count / n + (i < count % n ? 1 : 0);
  return txs;
}

std::vector<Block> make_blocks(Chain& builder, const Identity& orderer, const std::vector<Transaction>& txs, size_t per_block,
                               bool apply) {
  std::vector<Block> blocks;
  for (size_t i = 0; i < txs.size(); i += per_block) {
    std::vector<Transaction> part(txs.begin() + i, txs.begin() + std::min(txs.size(), i + per_block));
    Block b = build(builder, orderer, std::move(part));
    if (apply) {
      Chain::ApplyOptions o;
      o.signatures_checked = true;
      Status st = builder.apply_block(b, o);
      if (!st.is_ok()) {
        std::fprintf(stderr, "bench block refused: %s\n", st.to_string().c_str());
        std::exit(1);
      }
    }
    blocks.push_back(std::move(b));
  }
  return blocks;
}

void bench_apply(const Options& opt) {
  Chain builder;
  World w = make_world(opt.accounts, builder);
  const std::vector<uint64_t> fresh_nonces = w.nonces;
  auto t0 = Clock::now();
  std::vector<Transaction> txs = sign_transfers(w, opt.txs, opt.threads);
  double sign_s = seconds_since(t0);
  std::vector<Block> blocks = make_blocks(builder, w.orderer, txs, opt.block, true);

  // Validate + apply on a fresh chain: block signature, tx root, log root, every tx signature
  // (on opt.threads threads), nonce and state transition.
  Chain chain;
  for (const auto& b : w.setup_blocks) (void)chain.apply_block(b);
  Chain::ApplyOptions o;
  o.threads = opt.threads;
  t0 = Clock::now();
  for (const auto& b : blocks) {
    Status st = chain.apply_block(b, o);
    if (!st.is_ok()) {
      std::fprintf(stderr, "apply failed: %s\n", st.to_string().c_str());
      std::exit(1);
    }
  }
  double apply_s = seconds_since(t0);
  // Pipelined, as a replay does: block i+1's hashes and signatures are checked on the worker
  // threads while block i is applied.
  Chain chain3;
  for (const auto& b : w.setup_blocks) (void)chain3.apply_block(b);
  t0 = Clock::now();
  {
    std::future<PreparedBlock> ahead = std::async(std::launch::async, [&] { return prepare_block(blocks[0], opt.threads, true); });
    for (size_t i = 0; i < blocks.size(); ++i) {
      PreparedBlock p = ahead.get();
      if (i + 1 < blocks.size())
        ahead = std::async(std::launch::async, [&, i] { return prepare_block(blocks[i + 1], opt.threads, true); });
      Chain::ApplyOptions op = o;
      op.prepared = &p;
      Status st = chain3.apply_block(blocks[i], op);
      if (!st.is_ok()) {
        std::fprintf(stderr, "pipelined apply failed: %s\n", st.to_string().c_str());
        std::exit(1);
      }
    }
  }
  double pipelined_s = seconds_since(t0);
  // The same blocks with signatures taken as checked: what the rest of validation costs.
  Chain chain2;
  for (const auto& b : w.setup_blocks) (void)chain2.apply_block(b);
  Chain::ApplyOptions o2 = o;
  o2.signatures_checked = true;
  t0 = Clock::now();
  for (const auto& b : blocks) (void)chain2.apply_block(b, o2);
  double nosig_s = seconds_since(t0);
  // Signature checks alone on 1 thread and on opt.threads, to show how they scale.
  std::vector<Transaction> sample(txs.begin(), txs.begin() + std::min<size_t>(txs.size(), 20000));
  t0 = Clock::now();
  std::vector<char> ok1 = verify_signatures(sample, 1);
  double verify1_s = seconds_since(t0);
  t0 = Clock::now();
  std::vector<char> okn = verify_signatures(sample, opt.threads);
  double verifyn_s = seconds_since(t0);
  size_t valid = std::count(ok1.begin(), ok1.end(), 1) + std::count(okn.begin(), okn.end(), 1);
  std::printf("signing: %zu transfers in %.2f s on %d threads (%.0f/s)\n", txs.size(), sign_s, opt.threads, txs.size() / sign_s);
  std::printf("ed25519 verify: 1 thread %.1f us/signature (%.0f/s); %d threads %.0f/s%s\n",
              1e6 * verify1_s / sample.size(), sample.size() / verify1_s, opt.threads, sample.size() / verifyn_s,
              valid == 2 * sample.size() ? "" : " (INVALID SIGNATURES)");
  std::printf("apply without signature checks (roots, nonces, state): %.0f tx/s\n", txs.size() / nosig_s);
  std::printf("validate+apply pipelined (in memory, %d threads, blocks of %zu): %zu tx in %.2f s = %.0f tx/s\n",
              opt.threads, opt.block, txs.size(), pipelined_s, txs.size() / pipelined_s);
  std::printf("validate+apply (in memory, %d threads, blocks of %zu): %zu tx in %.2f s = %.0f tx/s\n", opt.threads,
              opt.block, txs.size(), apply_s, txs.size() / apply_s);

  // The durable path: the solo orderer's submit (signature check, dry run, block, two fsyncs,
  // apply) into a ledger directory.
  std::filesystem::remove_all(opt.dir + "-submit");
  {
    auto ledger = Ledger::open(opt.dir + "-submit", opt.threads);
    if (!ledger.is_ok()) return;
    for (const auto& b : w.setup_blocks) (void)(*ledger)->append_block(b);
    w.nonces = fresh_nonces;  // this ledger holds only the setup blocks
    std::vector<Transaction> more = sign_transfers(w, std::min<size_t>(opt.txs, 50000), opt.threads);
    t0 = Clock::now();
    size_t accepted = 0;
    for (size_t i = 0; i < more.size(); i += opt.block) {
      std::vector<Transaction> part(more.begin() + i, more.begin() + std::min(more.size(), i + opt.block));
      auto r = (*ledger)->submit(part, w.orderer);
      if (r.is_ok()) accepted += r->accepted;
    }
    double s = seconds_since(t0);
    std::printf("submit (validate, dry run, sign block, fsync x2, apply; blocks of %zu): %zu tx in %.2f s = %.0f tx/s\n",
                opt.block, accepted, s, accepted / s);
  }
  std::filesystem::remove_all(opt.dir + "-submit");
}

void bench_proofs() {
  for (uint64_t n : {1000ull, 1000000ull}) {
    MerkleTree tree;
    auto t0 = Clock::now();
    for (uint64_t i = 0; i < n; ++i) tree.append(leaf_hash(std::to_string(i)));
    double build_s = seconds_since(t0);
    Hash root = tree.root();
    std::mt19937_64 rng(1);
    const int reps = 10000;
    std::vector<std::vector<Hash>> proofs(reps);
    std::vector<uint64_t> idx(reps);
    t0 = Clock::now();
    for (int i = 0; i < reps; ++i) {
      idx[i] = rng() % n;
      proofs[i] = *tree.inclusion_proof(idx[i], n);
    }
    double gen_s = seconds_since(t0);
    t0 = Clock::now();
    int ok = 0;
    for (int i = 0; i < reps; ++i) ok += verify_inclusion(tree.leaf(idx[i]), idx[i], n, proofs[i], root).is_ok();
    double ver_s = seconds_since(t0);
    std::vector<std::vector<Hash>> cproofs(reps);
    std::vector<uint64_t> firsts(reps);
    t0 = Clock::now();
    for (int i = 0; i < reps; ++i) {
      firsts[i] = 1 + rng() % (n - 1);
      cproofs[i] = *tree.consistency_proof(firsts[i], n);
    }
    double cgen_s = seconds_since(t0);
    t0 = Clock::now();
    int cok = 0;
    for (int i = 0; i < reps; ++i) cok += verify_consistency(firsts[i], n, tree.root_at(firsts[i]), root, cproofs[i]).is_ok();
    double cver_s = seconds_since(t0);  // includes root_at(first), which a verifier would already have
    std::printf("merkle n=%llu: build %.2f s; inclusion proof %.2f us gen, %.2f us verify (%d/%d ok); "
                "consistency proof %.2f us gen, %.2f us verify incl. old root (%d/%d ok)\n",
                (unsigned long long)n, build_s, 1e6 * gen_s / reps, 1e6 * ver_s / reps, ok, reps, 1e6 * cgen_s / reps,
                1e6 * cver_s / reps, cok, reps);
  }
}

void bench_replay(const Options& opt) {
  std::string dir = opt.dir + "-replay";
  std::filesystem::remove_all(dir);
  Chain builder;
  World w = make_world(opt.accounts, builder);
  {
    auto store = BlockStore::open(dir);
    if (!store.is_ok()) return;
    uint64_t h = 0;
    for (const auto& b : w.setup_blocks) (void)store->append(h++, b.header.hash(), b.encode());
    auto t0 = Clock::now();
    size_t written = 0;
    // Sign and write in slices so memory stays bounded.
    while (written < opt.replay) {
      size_t n = std::min<size_t>(100000, opt.replay - written);
      std::vector<Transaction> txs = sign_transfers(w, n, opt.threads);
      for (Block& b : make_blocks(builder, w.orderer, txs, opt.block, true)) {
        Status st = store->append(h++, b.header.hash(), b.encode());
        if (!st.is_ok()) {
          std::fprintf(stderr, "%s\n", st.to_string().c_str());
          return;
        }
      }
      written += n;
    }
    std::printf("replay setup: wrote %zu transactions (%llu blocks) in %.1f s\n", written, (unsigned long long)h,
                seconds_since(t0));
  }
  for (bool check_sigs : {true, false}) {
    auto t0 = Clock::now();
    auto ledger = Ledger::open(dir, opt.threads, check_sigs);
    double s = seconds_since(t0);
    if (!ledger.is_ok()) {
      std::fprintf(stderr, "replay failed: %s\n", ledger.status().to_string().c_str());
      return;
    }
    std::printf("replay (open: read, check and apply every block, %s, %d threads): %llu transactions in %.1f s = "
                "%.0f tx/s, %.1f MB on disk\n",
                check_sigs ? "every tx signature checked" : "tx signatures trusted to the block signature", opt.threads,
                (unsigned long long)(*ledger)->state().tx_count, s, (*ledger)->state().tx_count / s,
                std::filesystem::file_size(BlockStore::data_path(dir)) / 1e6);
  }
  auto t0 = Clock::now();
  VerifyReport report = verify_ledger(dir, opt.threads);
  double s = seconds_since(t0);
  std::printf("verify (fogline ledger verify: every byte, hash, signature, nonce, transition): %llu transactions in "
              "%.1f s = %.0f tx/s%s\n",
              (unsigned long long)report.transactions, s, report.transactions / s, report.ok ? "" : " (FAILED)");
  std::filesystem::remove_all(dir);
}

}  // namespace
// A peer of an etcd-ordered chain, without etcd: the same signed transfers arrive as ordered
// slots of opt.block transactions; the peer judges each (signatures on opt.threads threads,
// then nonces and state in order), cuts the version 2 block, fsyncs it twice and applies it.
void bench_ordered_peer(const Options& opt) {
  Chain builder;
  World w = make_world(opt.accounts, builder);
  std::vector<Transaction> txs = sign_transfers(w, std::min<size_t>(opt.txs, 50000), opt.threads);
  std::vector<std::vector<std::string>> slots;
  for (const auto& b : w.setup_blocks) slots.push_back(b.tx_bytes);
  size_t first_timed = slots.size();
  for (size_t i = 0; i < txs.size(); i += opt.block) {
    slots.emplace_back();
    for (size_t j = i; j < std::min(txs.size(), i + opt.block); ++j) slots.back().push_back(txs[j].encode());
  }
  std::filesystem::remove_all(opt.dir + "-peer");
  auto ledger = Ledger::open(opt.dir + "-peer", opt.threads);
  if (!ledger.is_ok()) return;
  Clock::time_point t0;
  size_t accepted = 0;
  for (size_t s = 0; s < slots.size(); ++s) {
    if (s == first_timed) t0 = Clock::now();
    auto b = (*ledger)->append_ordered(s, 1, slots[s]);
    if (!b.is_ok() || !b->rejected.empty()) {
      std::fprintf(stderr, "ordered slot %zu: %s\n", s, b.is_ok() ? "transactions rejected" : b.status().to_string().c_str());
      std::exit(1);
    }
    if (s >= first_timed) accepted += b->txs.size();
  }
  double secs = seconds_since(t0);
  std::printf("etcd-ordered peer (judge, cut version 2 block, fsync x2, apply; slots of %zu): %zu tx in %.2f s = %.0f tx/s\n",
              opt.block, accepted, secs, accepted / secs);
  ledger->reset();
  std::filesystem::remove_all(opt.dir + "-peer");
}

int main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--txs") opt.txs = std::strtoull(next(), nullptr, 10);
    else if (a == "--block") opt.block = std::strtoull(next(), nullptr, 10);
    else if (a == "--threads") opt.threads = std::atoi(next());
    else if (a == "--accounts") opt.accounts = std::strtoull(next(), nullptr, 10);
    else if (a == "--replay") opt.replay = std::strtoull(next(), nullptr, 10);
    else if (a == "--dir") opt.dir = next();
    else if (a == "--skip-replay") opt.skip_replay = true;
    else {
      std::printf("usage: fogline_ledger_bench [--txs N] [--block B] [--threads T] [--accounts A] [--replay N] "
                  "[--dir DIR] [--skip-replay]\n");
      return a == "--help" ? 0 : 2;
    }
  }
  bench_apply(opt);
  bench_ordered_peer(opt);
  bench_proofs();
  if (!opt.skip_replay) bench_replay(opt);
  return 0;
}
