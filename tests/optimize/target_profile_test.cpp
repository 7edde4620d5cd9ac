#include "optimize/target_profile.h"

#include <gtest/gtest.h>

namespace fogline::optimize {
namespace {

// Abridged /proc/cpuinfo of a Sapphire Rapids VM and of a Raspberry Pi 5.
constexpr const char* kSapphireRapids = R"(processor	: 0
vendor_id	: GenuineIntel
model name	: Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz
flags		: fpu sse sse2 ssse3 sse4_1 sse4_2 avx fma avx2 avx512f avx512dq avx512bw avx512vl avx512_vnni avx512_bf16 amx_bf16 amx_tile amx_int8

processor	: 1
vendor_id	: GenuineIntel
model name	: Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz
flags		: fpu sse sse2 ssse3 sse4_1 sse4_2 avx fma avx2 avx512f avx512dq avx512bw avx512vl avx512_vnni avx512_bf16 amx_bf16 amx_tile amx_int8
)";

constexpr const char* kPi5 = R"(processor	: 0
BogoMIPS	: 108.00
Features	: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp
CPU implementer	: 0x41

processor	: 1
Features	: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp
)";

TEST(TargetProfile, DetectsAmxFromCpuinfo) {
  CpuInfo cpu = parse_cpuinfo(kSapphireRapids);
  EXPECT_EQ(cpu.arch, "x86-64");
  EXPECT_EQ(cpu.logical_cpus, 2);
  EXPECT_EQ(cpu.model_name, "Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz");
  auto d = detect_target(cpu);
  ASSERT_TRUE(d.is_ok()) << d.status().message();
  EXPECT_EQ(d->profile.name, "x86-64-amx");
  EXPECT_EQ(d->profile.onednn_isa, "AVX512_CORE_AMX");
  EXPECT_EQ(d->profile.threads, 2);  // capped at the CPUs present
  EXPECT_FALSE(d->next.has_value());
  EXPECT_TRUE(d->profile.runs_fast(Precision::kBf16));
}

TEST(TargetProfile, VnniWithoutAmxNamesWhatTheNextTargetNeeds) {
  std::string text = "processor : 0\nflags : avx2 fma avx512f avx512dq avx512bw avx512vl avx512_vnni\n";
  auto d = detect_target(parse_cpuinfo(text));
  ASSERT_TRUE(d.is_ok());
  EXPECT_EQ(d->profile.name, "x86-64-avx512-vnni");
  ASSERT_TRUE(d->next.has_value());
  EXPECT_EQ(*d->next, "x86-64-amx");
  EXPECT_EQ(d->missing_next, (std::vector<std::string>{"avx512_bf16", "amx_tile", "amx_int8", "amx_bf16"}));
}

TEST(TargetProfile, Avx2Only) {
  auto d = detect_target(parse_cpuinfo("flags : sse4_2 avx avx2 fma\n"));
  ASSERT_TRUE(d.is_ok());
  EXPECT_EQ(d->profile.name, "x86-64-avx2");
  EXPECT_EQ(*d->next, "x86-64-avx512");
}

TEST(TargetProfile, DetectsArmDotProduct) {
  auto d = detect_target(parse_cpuinfo(kPi5));
  ASSERT_TRUE(d.is_ok());
  EXPECT_EQ(d->profile.name, "arm64-neon-dotprod");
  EXPECT_TRUE(d->profile.runs_fast(Precision::kInt8));
}

TEST(TargetProfile, NoProfileForAnOldCpu) {
  auto d = detect_target(parse_cpuinfo("flags : sse sse2 avx\n"));
  ASSERT_FALSE(d.is_ok());
  EXPECT_NE(d.status().message().find("no target profile"), std::string::npos);
}

TEST(TargetProfile, UnknownTargetListsTheKnownOnes) {
  auto t = find_target("x86-64-avx1024");
  ASSERT_FALSE(t.is_ok());
  EXPECT_NE(t.status().message().find("x86-64-avx512-vnni"), std::string::npos);
  EXPECT_EQ(target_profiles().size(), 6u);
}

TEST(TargetProfile, ArmTargetsAreRefusedOnX86) {
  auto cpu = read_cpuinfo();
  if (!cpu.is_ok() || cpu->arch != "x86-64") GTEST_SKIP() << "not an x86 machine";
  auto r = rerun_under_target(*find_target("arm64-neon"));
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("cannot run it"), std::string::npos);
}

}  // namespace
}  // namespace fogline::optimize
