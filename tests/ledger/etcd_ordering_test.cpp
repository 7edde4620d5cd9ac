// The etcd client and the slot log against a real etcd member (Debian's etcd-server) on free
// loopback ports: write-once keys, concurrent submitters racing for slots (no hole, no slot
// twice), a dead member in the endpoint list, and member status. Skipped without /usr/bin/etcd.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <set>
#include <thread>

#include "ledger/ordering.h"
#include "ledger/peer.h"
#include "ledger/tx/register_account.h"
#include "ledger_fixture.h"

namespace fogline::ledger::testing {
namespace {

std::string etcd_binary() {
  const char* e = std::getenv("FOGLINE_ETCD");
  return e && *e ? e : "/usr/bin/etcd";
}

// A port nothing listens on now (the kernel's choice for port 0).
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  int port = -1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

class EtcdOrderingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access(etcd_binary().c_str(), X_OK) != 0) GTEST_SKIP() << etcd_binary() << " not found (Debian's etcd-server)";
    dir_ = unique_temp_dir("etcd");
    int client = free_port(), peer = free_port();
    ASSERT_GT(client, 0);
    ASSERT_GT(peer, 0);
    url_ = "http://127.0.0.1:" + std::to_string(client);
    std::string peer_url = "http://127.0.0.1:" + std::to_string(peer);
    std::vector<std::string> args = {etcd_binary(), "--name", "m1", "--data-dir", dir_ + "/data",
                                     "--listen-client-urls", url_, "--advertise-client-urls", url_,
                                     "--listen-peer-urls", peer_url, "--initial-advertise-peer-urls", peer_url,
                                     "--initial-cluster", "m1=" + peer_url, "--log-level", "error"};
    std::string log_path = dir_ + "/etcd.log";
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = ::fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      // Only async-signal-safe calls between fork and exec (the test process has threads).
      int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (log >= 0) ::dup2(log, 2);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    // Ready when a read succeeds (the client retries for its whole deadline).
    auto client_or = EtcdClient::connect(url_);
    ASSERT_TRUE(client_or.is_ok());
    auto ready = client_or->get("ready?");
    ASSERT_TRUE(ready.is_ok()) << "etcd did not come up: " << ready.status().to_string();
  }
  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  EtcdOrdering ordering(const std::string& endpoints) {
    auto c = EtcdClient::connect(endpoints);
    EXPECT_TRUE(c.is_ok());
    return EtcdOrdering(std::move(c).value(), "test/");
  }

  std::string dir_, url_;
  pid_t pid_ = -1;
};

TEST_F(EtcdOrderingTest, KeysAreWrittenOnceAndReadBack) {
  auto c = EtcdClient::connect(url_);
  ASSERT_TRUE(c.is_ok());
  std::string binary("\x00\xff\x10 bytes", 9);
  auto first = c->put_if_absent("k/a", binary);
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();
  EXPECT_TRUE(*first);
  auto second = c->put_if_absent("k/a", "other");
  ASSERT_TRUE(second.is_ok());
  EXPECT_FALSE(*second);
  auto got = c->get("k/a");
  ASSERT_TRUE(got.is_ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, binary);
  auto missing = c->get("k/none");
  ASSERT_TRUE(missing.is_ok());
  EXPECT_FALSE(missing->has_value());
  ASSERT_TRUE(c->put("k/b", "2").is_ok());
  auto all = c->range("k/", prefix_end("k/"), 0);
  ASSERT_TRUE(all.is_ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].key, "k/a");
  EXPECT_EQ((*all)[1].value, "2");
  auto last = c->range("k/", prefix_end("k/"), 1, true);
  ASSERT_TRUE(last.is_ok());
  ASSERT_EQ(last->size(), 1u);
  EXPECT_EQ((*last)[0].key, "k/b");
}

TEST_F(EtcdOrderingTest, ConcurrentSubmittersGetDistinctGaplessSlots) {
  // A dead member first in the list: every call must move on to the live one.
  std::string endpoints = "http://127.0.0.1:" + std::to_string(free_port()) + "," + url_;
  EtcdOrdering o = ordering(endpoints);
  EXPECT_FALSE(o.append("before genesis").is_ok());
  ASSERT_TRUE(o.write_genesis("genesis").is_ok());
  EXPECT_FALSE(o.write_genesis("another genesis").is_ok());
  constexpr int kThreads = 4, kEach = 5;
  std::vector<std::vector<uint64_t>> got(kThreads);
  std::vector<std::thread> pool;
  for (int t = 0; t < kThreads; ++t)
    pool.emplace_back([&, t] {
      EtcdOrdering mine = ordering(endpoints);
      for (int i = 0; i < kEach; ++i) {
        auto slot = mine.append("batch " + std::to_string(t) + "/" + std::to_string(i));
        if (slot.is_ok()) got[t].push_back(*slot);
      }
    });
  for (auto& th : pool) th.join();
  std::set<uint64_t> slots;
  for (const auto& g : got) {
    EXPECT_EQ(g.size(), size_t{kEach});
    slots.insert(g.begin(), g.end());
  }
  ASSERT_EQ(slots.size(), size_t{kThreads * kEach});  // no slot given twice
  EXPECT_EQ(*slots.begin(), 1u);
  EXPECT_EQ(*slots.rbegin(), uint64_t{kThreads * kEach});  // no hole
  auto size = o.size();
  ASSERT_TRUE(size.is_ok());
  EXPECT_EQ(*size, uint64_t{kThreads * kEach + 1});
  auto read = o.read(0, 0);
  ASSERT_TRUE(read.is_ok()) << read.status().to_string();
  ASSERT_EQ(read->size(), size_t{kThreads * kEach + 1});
  EXPECT_EQ((*read)[0].value, "genesis");
  auto tail = o.read(19, 10);
  ASSERT_TRUE(tail.is_ok());
  ASSERT_EQ(tail->size(), 2u);
  EXPECT_EQ((*tail)[1].slot, 20u);

  auto statuses = o.client().member_statuses();
  ASSERT_EQ(statuses.size(), 2u);
  EXPECT_FALSE(statuses[0].up);
  EXPECT_TRUE(statuses[1].up);
  EXPECT_TRUE(statuses[1].leader);  // a one-member cluster leads itself
}

std::string register_batch(int n) {
  OrderedBatch b{now_ms(), {}};
  for (int i = 0; i < n; ++i) {
    Identity who = Identity::generate(IdentityKind::kUser, "");
    RegisterAccountTx r;
    r.name = "u" + short_key(who.sign_public());
    r.box_public = who.box_public();
    b.txs.push_back(make_transaction(r.kCode, who, 0, r.encode()).encode());
  }
  return encode_batch(b);
}

TEST_F(EtcdOrderingTest, PeersCatchUpAndNeverShareAHome) {
  EtcdOrdering o = ordering(url_);
  Identity founder = Identity::generate(IdentityKind::kOrganisation, "founder");
  GenesisTx g;
  g.chain_name = "peers";
  g.orderer_name = "founder";
  g.orderer_box_public = founder.box_public();
  ASSERT_TRUE(o.write_genesis(encode_batch({1, {make_transaction(GenesisTx::kCode, founder, 0, g.encode()).encode()}})).is_ok());
  auto options = [&](const std::string& name) {
    PeerOptions p;
    p.home = dir_ + "/" + name;
    p.endpoints = url_;
    p.prefix = "test/";
    p.verbose = false;
    return p;
  };
  auto a = Peer::open(options("a"));
  ASSERT_TRUE(a.is_ok()) << a.status().to_string();
  auto second = Peer::open(options("a"));
  ASSERT_FALSE(second.is_ok());
  EXPECT_NE(second.status().message().find("another peer is running"), std::string::npos);
  ASSERT_TRUE(o.append(register_batch(2)).is_ok());
  ASSERT_TRUE(o.append(register_batch(3)).is_ok());
  auto n = (*a)->sync_once();
  ASSERT_TRUE(n.is_ok()) << n.status().to_string();
  EXPECT_EQ(*n, 3u);
  EXPECT_TRUE(fs::exists(Peer::status_path(dir_ + "/a")));

  // A peer stopped at height 3 misses a slot, restarts and catches up to the same head.
  a->reset();
  ASSERT_TRUE(o.append(register_batch(1)).is_ok());
  auto b = Peer::open(options("b"));
  ASSERT_TRUE(b.is_ok());
  ASSERT_TRUE((*b)->sync_once().is_ok());
  auto again = Peer::open(options("a"));
  ASSERT_TRUE(again.is_ok()) << again.status().to_string();
  EXPECT_EQ((*again)->next_slot(), 3u);
  auto caught = (*again)->sync_once();
  ASSERT_TRUE(caught.is_ok());
  EXPECT_EQ(*caught, 1u);
  EXPECT_EQ((*again)->ledger().chain().height(), 4u);
  EXPECT_EQ((*again)->ledger().chain().head_hash(), (*b)->ledger().chain().head_hash());
  EXPECT_EQ((*again)->ledger().state().accounts().size(), 7u);
  again->reset();

  // Pointed at another chain's log, a peer refuses to extend its own with it.
  Identity other = Identity::generate(IdentityKind::kOrganisation, "other");
  g.orderer_box_public = other.box_public();
  ASSERT_TRUE(EtcdOrdering(std::move(EtcdClient::connect(url_)).value(), "other/")
                  .write_genesis(encode_batch({1, {make_transaction(GenesisTx::kCode, other, 0, g.encode()).encode()}}))
                  .is_ok());
  PeerOptions wrong = options("a");
  wrong.prefix = "other/";
  auto refused = Peer::open(wrong);
  ASSERT_FALSE(refused.is_ok());
  EXPECT_NE(refused.status().message().find("another chain"), std::string::npos) << refused.status().to_string();
}

TEST_F(EtcdOrderingTest, NoMemberUpIsAnIoErrorAfterTheDeadline) {
  EtcdOptions quick;
  quick.call_deadline_ms = 300;
  auto c = EtcdClient::connect("http://127.0.0.1:" + std::to_string(free_port()), quick);
  ASSERT_TRUE(c.is_ok());
  auto r = c->get("x");
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kIoError);
  EXPECT_NE(r.status().message().find("no etcd member answered"), std::string::npos);
  EXPECT_FALSE(EtcdClient::connect("127.0.0.1:2379").is_ok());  // the scheme is required
}

}  // namespace
}  // namespace fogline::ledger::testing
