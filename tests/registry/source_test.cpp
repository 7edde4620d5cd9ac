#include "registry/source.h"

#include <gtest/gtest.h>

#include "registry/lfs.h"

namespace fogline::registry {
namespace {

SourceBases bases() { return SourceBases{"https://gh.test", "https://raw.test", "https://hf.test"}; }

TEST(Source, GithubFormsMapToRawUrlsAndTheirGitRemote) {
  auto a = parse_source("https://gh.test/onnx/models/blob/v1.2/vision/resnet.onnx", bases());
  ASSERT_TRUE(a.is_ok()) << a.status().to_string();
  EXPECT_EQ(a->kind, Source::Kind::kHttp);
  EXPECT_EQ(a->url, "https://raw.test/onnx/models/v1.2/vision/resnet.onnx");
  EXPECT_EQ(a->git_remote, "https://gh.test/onnx/models.git");
  EXPECT_EQ(a->lfs_url, "https://gh.test/onnx/models.git/info/lfs");
  EXPECT_EQ(a->ref, "v1.2");
  EXPECT_EQ(a->file_name, "resnet.onnx");
  auto b = parse_source("github:onnx/models/vision/resnet.onnx@main", bases());
  ASSERT_TRUE(b.is_ok());
  EXPECT_EQ(b->url, "https://raw.test/onnx/models/main/vision/resnet.onnx");
  auto c = parse_source("https://raw.test/onnx/models/abc123/resnet.onnx", bases());
  ASSERT_TRUE(c.is_ok());
  EXPECT_EQ(c->url, "https://raw.test/onnx/models/abc123/resnet.onnx");
  EXPECT_EQ(c->ref, "abc123");
  EXPECT_EQ(parse_source("github:onnx/models/x.onnx", bases())->ref, "HEAD");
  EXPECT_FALSE(parse_source("github:onnx/models", bases()).is_ok());
}

TEST(Source, HuggingFaceGitAndPlainForms) {
  auto h = parse_source("hf:acme/tiny/onnx/model.onnx@v2", bases());
  ASSERT_TRUE(h.is_ok());
  EXPECT_EQ(h->url, "https://hf.test/acme/tiny/resolve/v2/onnx/model.onnx");
  EXPECT_EQ(parse_source("hf:acme/tiny/model.onnx", bases())->url, "https://hf.test/acme/tiny/resolve/main/model.onnx");
  auto g = parse_source("git+https://git.test/a/b#models/m.onnx@release-1", bases());
  ASSERT_TRUE(g.is_ok());
  EXPECT_EQ(g->kind, Source::Kind::kGit);
  EXPECT_EQ(g->url, "https://git.test/a/b");
  EXPECT_EQ(g->path, "models/m.onnx");
  EXPECT_EQ(g->ref, "release-1");
  EXPECT_EQ(g->lfs_url, "https://git.test/a/b.git/info/lfs");
  EXPECT_FALSE(parse_source("git+ssh://git.test/a#m.onnx", bases()).is_ok());
  EXPECT_FALSE(parse_source("git+https://git.test/a", bases()).is_ok());
  EXPECT_EQ(parse_source("https://example.test/m.onnx?x=1", bases())->file_name, "m.onnx");
  EXPECT_EQ(parse_source("./models/m.onnx", bases())->kind, Source::Kind::kLocal);
  EXPECT_FALSE(parse_source("ftp://x/m.onnx", bases()).is_ok());
}

TEST(LfsPointer, ParsesTheSpecAndRejectsBrokenOnes) {
  std::string oid(64, 'a');
  auto p = parse_lfs_pointer("version https://git-lfs.github.com/spec/v1\noid sha256:" + oid + "\nsize 12345\n");
  ASSERT_TRUE(p.is_ok());
  ASSERT_TRUE(p->has_value());
  EXPECT_EQ((*p)->oid, oid);
  EXPECT_EQ((*p)->size, 12345);
  auto not_pointer = parse_lfs_pointer("\x08\x07onnx bytes");
  ASSERT_TRUE(not_pointer.is_ok());
  EXPECT_FALSE(not_pointer->has_value());
  EXPECT_FALSE(parse_lfs_pointer("version https://git-lfs.github.com/spec/v1\noid sha256:xyz\nsize 1\n").is_ok());
  EXPECT_FALSE(parse_lfs_pointer("version https://git-lfs.github.com/spec/v1\noid sha256:" + oid + "\n").is_ok());
  EXPECT_FALSE(parse_lfs_pointer("version https://git-lfs.github.com/spec/v1\noid sha256:" + oid + "\nsize -1\n").is_ok());
}

}  // namespace
}  // namespace fogline::registry
