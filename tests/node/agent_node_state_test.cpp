// The node's enrollment state in its data dir: what `--data-dir D` alone starts from.
#include <gmock/gmock.h>

#include <filesystem>

#include "core/file_util.h"
#include "node/agent/node_state.h"

namespace fogline::node::agent {
namespace {

TEST(AgentNodeState, SavesAndLoadsTheEnrollment) {
  std::string dir = ::testing::TempDir() + "/fogline-agent-state";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  NodeState s;
  s.node_id = "node-0123456789abcdef";
  s.hub_url = "http://127.0.0.1:9";
  s.hub_public_key.fill(7);
  s.labels = {{"site", "a"}, {"camera", "3"}};
  ASSERT_TRUE(save_node_state(dir, s).is_ok());
  auto back = load_node_state(dir);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(back->node_id, s.node_id);
  EXPECT_EQ(back->hub_url, s.hub_url);
  EXPECT_EQ(back->hub_public_key, s.hub_public_key);
  EXPECT_EQ(back->labels, s.labels);

  ASSERT_TRUE(write_file_atomic(node_state_path(dir), R"({"node_id": "n", "hub_url": "u"})").is_ok());
  auto broken = load_node_state(dir);
  ASSERT_FALSE(broken.is_ok());
  EXPECT_THAT(broken.status().message(), ::testing::HasSubstr("hub_public_key"));
  EXPECT_FALSE(load_node_state(dir + "/absent").is_ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace fogline::node::agent
