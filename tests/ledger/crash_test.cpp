// Must-show 5: kill -9 a process while it appends blocks, many times. After each restart the
// chain verifies and every transaction the child reported as acknowledged is on it. The child
// reports a transaction id only after submit() returned, i.e. after both fsyncs.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <set>
#include <thread>

#include "core/sha256.h"
#include "ledger/verify.h"
#include "ledger_fixture.h"

namespace fogline::ledger::testing {
namespace {

class CrashTest : public LedgerFixture {};

// The child: appends blocks of transfers forever, writing each acknowledged id to `fd`.
[[noreturn]] void append_forever(const std::string& dir, const Identity& orderer, const Identity& sender,
                                 const PublicKey& to, int fd) {
  auto l = Ledger::open(dir, 1);
  if (!l.is_ok()) _exit(3);
  Ledger& ledger = **l;
  uint64_t nonce = ledger.state().account(sender.sign_public())->next_nonce;
  for (;;) {
    std::vector<Transaction> batch;
    for (int i = 0; i < 40; ++i) {
      TransferTx t;
      t.to = to;
      t.amount = 1;
      batch.push_back(make_transaction(t.kCode, sender, nonce++, t.encode()));
    }
    auto r = ledger.submit(batch, orderer);
    if (!r.is_ok() || r->accepted != batch.size()) _exit(4);
    std::string lines;
    for (const Hash& id : r->ids) lines += hash_hex(id) + "\n";
    // One write per block; the parent keeps only whole lines.
    if (::write(fd, lines.data(), lines.size()) != static_cast<ssize_t>(lines.size())) _exit(5);
  }
}

TEST_F(CrashTest, KillNineDuringAppendLosesNoAcknowledgedTransaction) {
  make_ledger(Economy::kCredits);
  Actor payer{Identity::generate(IdentityKind::kUser, "payer")}, payee{Identity::generate(IdentityKind::kUser, "payee")};
  register_actor(payer, IdentityKind::kUser, "payer");
  register_actor(payee, IdentityKind::kUser, "payee");
  ASSERT_TRUE(submit(mint_tx(payer, 1'000'000)).is_ok());
  ledger_.reset();

  std::mt19937 rng(12345);
  std::set<std::string> acknowledged;
  uint64_t repaired_bytes = 0;
  const int kRounds = 25;
  for (int round = 0; round < kRounds; ++round) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      append_forever(dir_, orderer_.id, payer.id, payee.key(), fds[1]);
    }
    ::close(fds[1]);
    // Let it acknowledge at least one block, then kill it at a random moment.
    std::string received;
    char buf[4096];
    while (received.find('\n') == std::string::npos) {
      ssize_t n = ::read(fds[0], buf, sizeof buf);
      ASSERT_GT(n, 0) << "child died before acknowledging anything";
      received.append(buf, n);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, 30000)(rng)));
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child exited by itself, status " << status;
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0) received.append(buf, n);
    ::close(fds[0]);
    size_t start = 0, end;
    while ((end = received.find('\n', start)) != std::string::npos) {
      acknowledged.insert(received.substr(start, end - start));
      start = end + 1;
    }

    // Restart: the torn tail (if any) is cut, the chain verifies, nothing acknowledged is lost.
    auto l = Ledger::open(dir_, 1);
    ASSERT_TRUE(l.is_ok()) << "round " << round << ": " << l.status().to_string();
    repaired_bytes += (*l)->store().repair().data_bytes_cut + (*l)->store().repair().index_bytes_cut;
    for (const std::string& id : acknowledged) {
      auto h = hash_from_hex(id, "id");
      ASSERT_TRUE(h.is_ok());
      ASSERT_NE((*l)->chain().find_tx(*h), nullptr) << "round " << round << ": acknowledged " << id << " is missing";
    }
    // The ledger holds exactly what was paid: every transfer on it moved one credit.
    const State& s = (*l)->state();
    EXPECT_EQ(s.account(payee.key())->balance.value_or(0) + s.account(payer.key())->balance.value_or(0), 1'000'000u);
    l->reset();
    VerifyReport r = verify_ledger(dir_, 1);
    ASSERT_TRUE(r.ok) << "round " << round << ": " << r.error;
    EXPECT_EQ(r.unacknowledged_bytes, 0u);
  }
  EXPECT_GT(acknowledged.size(), static_cast<size_t>(kRounds));
  // Informational: how often a kill landed inside an append.
  std::printf("%zu acknowledged transactions over %d kills; %llu torn bytes cut on restart\n", acknowledged.size(),
              kRounds, static_cast<unsigned long long>(repaired_bytes));
}

}  // namespace
}  // namespace fogline::ledger::testing
