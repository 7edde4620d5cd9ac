// Sequence and optional values: the Sequence*/Optional* ops, ConcatFromSequence,
// SplitToSequence, SequenceMap, Loop/Identity carrying them, Session::run_values, and the
// errors for bad input, on small hand-built models.
#include <gtest/gtest.h>
#include <onnx/onnx-data_pb.h>

#include <filesystem>
#include <fstream>

#include "../model_builder.h"
#include "engine/value.h"

namespace fogline::engine {
namespace {

using testing::set_attr;
using testing::TestModel;

std::vector<float> floats(const Tensor& t) {
  return std::vector<float>(t.data<float>(), t.data<float>() + t.numel());
}

Tensor vec(const std::vector<float>& v) { return Tensor::from_vector<float>({static_cast<int64_t>(v.size())}, v); }

// The checker wants a shape (possibly of unknown dims) on every declared tensor type.
void set_tensor_type(onnx::TypeProto* tp, DataType elem, int rank = 1) {
  auto* tt = tp->mutable_tensor_type();
  tt->set_elem_type(static_cast<int>(elem));
  auto* shape = tt->mutable_shape();
  for (int i = 0; i < rank; ++i) shape->add_dim();
}

void set_sequence_type(onnx::TypeProto* tp, DataType elem) {
  set_tensor_type(tp->mutable_sequence_type()->mutable_elem_type(), elem);
}

void sequence_output(TestModel& m, const std::string& name, DataType elem) {
  auto* vi = m.proto().mutable_graph()->add_output();
  vi->set_name(name);
  set_sequence_type(vi->mutable_type(), elem);
}

void sequence_input(TestModel& m, const std::string& name, DataType elem) {
  auto* vi = m.proto().mutable_graph()->add_input();
  vi->set_name(name);
  set_sequence_type(vi->mutable_type(), elem);
}

void optional_tensor_input(TestModel& m, const std::string& name, DataType elem) {
  auto* vi = m.proto().mutable_graph()->add_input();
  vi->set_name(name);
  set_tensor_type(vi->mutable_type()->mutable_optional_type()->mutable_elem_type(), elem);
}

TensorSequence seq_of(const std::vector<std::vector<float>>& items) {
  TensorSequence s;
  s.elem_type = DataType::kFloat;
  for (const auto& v : items) s.tensors.push_back(vec(v));
  return s;
}

TEST(SequenceOps, SplitInsertEraseAtLengthConcat) {
  TestModel m(16);
  m.input("x", DataType::kFloat, {3, 2});
  m.initializer("front", Tensor::scalar<int64_t>(0));
  m.initializer("minus1", Tensor::scalar<int64_t>(-1));
  m.initializer("extra", Tensor::from_vector<float>({2}, {7, 8}));
  auto& split = m.node("SplitToSequence", {"x"}, {"rows"});
  set_attr(split, "keepdims", 0);
  m.node("SequenceInsert", {"rows", "extra", "front"}, {"with_extra"});  // [7,8],[0,1],[2,3],[4,5]
  m.node("SequenceErase", {"with_extra", "minus1"}, {"erased"});          // [7,8],[0,1],[2,3]
  m.node("SequenceAt", {"erased", "minus1"}, {"last"});
  m.node("SequenceLength", {"erased"}, {"len"});
  auto& stack = m.node("ConcatFromSequence", {"erased"}, {"stacked"});
  set_attr(stack, "axis", 0);
  set_attr(stack, "new_axis", 1);
  auto& cat = m.node("ConcatFromSequence", {"erased"}, {"joined"});
  set_attr(cat, "axis", -1);
  m.output("last").output("len").output("stacked").output("joined");
  auto s = m.session();
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  auto out = (*s)->run({Tensor::from_vector<float>({3, 2}, {0, 1, 2, 3, 4, 5})});
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_EQ(floats((*out)[0]), (std::vector<float>{2, 3}));
  EXPECT_EQ((*out)[1].dtype(), DataType::kInt64);
  EXPECT_EQ((*out)[1].data<int64_t>()[0], 3);
  EXPECT_EQ((*out)[2].shape(), (Shape{3, 2}));
  EXPECT_EQ(floats((*out)[2]), (std::vector<float>{7, 8, 0, 1, 2, 3}));
  EXPECT_EQ((*out)[3].shape(), (Shape{6}));
  EXPECT_EQ(floats((*out)[3]), (std::vector<float>{7, 8, 0, 1, 2, 3}));
}

TEST(SequenceOps, SplitToSequenceWithScalarAndListSplits) {
  TestModel m(16);
  m.input("x", DataType::kFloat, {2, 5});
  m.initializer("two", Tensor::scalar<int64_t>(2));
  m.initializer("sizes", Tensor::from_vector<int64_t>({2}, {1, 4}));
  auto& a = m.node("SplitToSequence", {"x", "two"}, {"by_two"});
  set_attr(a, "axis", 1);
  auto& b = m.node("SplitToSequence", {"x", "sizes"}, {"by_list"});
  set_attr(b, "axis", -1);
  m.output("by_two").output("by_list");
  auto s = m.session();
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  auto out = (*s)->run_values({Tensor::from_vector<float>({2, 5}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9})});
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  const auto& by_two = std::get<TensorSequence>((*out)[0]);
  ASSERT_EQ(by_two.tensors.size(), 3u);
  EXPECT_EQ(by_two.tensors[2].shape(), (Shape{2, 1}));  // the last piece is shorter
  EXPECT_EQ(floats(by_two.tensors[1]), (std::vector<float>{2, 3, 7, 8}));
  const auto& by_list = std::get<TensorSequence>((*out)[1]);
  ASSERT_EQ(by_list.tensors.size(), 2u);
  EXPECT_EQ(floats(by_list.tensors[1]), (std::vector<float>{1, 2, 3, 4, 6, 7, 8, 9}));
}

TEST(SequenceOps, SequenceInAndOutThroughRunValuesLeavesTheInputAlone) {
  TestModel m(16);
  sequence_input(m, "seq", DataType::kFloat);
  m.input("t", DataType::kFloat, {2});
  m.initializer("pos", Tensor::scalar<int64_t>(1));
  m.node("SequenceInsert", {"seq", "t", "pos"}, {"inserted"});
  m.node("Identity", {"inserted"}, {"copy"});
  m.output("copy");
  auto s = m.session();
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  EXPECT_EQ((*s)->inputs()[0].type.dtype, kSequenceDType);
  TensorSequence in = seq_of({{1, 2}, {3, 4}});
  auto out = (*s)->run_values({in, vec({9, 9})});
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  const auto& got = std::get<TensorSequence>((*out)[0]);
  ASSERT_EQ(got.tensors.size(), 3u);
  EXPECT_EQ(floats(got.tensors[0]), (std::vector<float>{1, 2}));
  EXPECT_EQ(floats(got.tensors[1]), (std::vector<float>{9, 9}));
  EXPECT_EQ(floats(got.tensors[2]), (std::vector<float>{3, 4}));
  EXPECT_EQ(in.tensors.size(), 2u);

  // The tensor-only API refuses a plain tensor where the model wants a sequence.
  auto wrong = (*s)->run({vec({1}), vec({9, 9})});
  ASSERT_FALSE(wrong.is_ok());
  EXPECT_NE(wrong.status().message().find("must be sequence"), std::string::npos) << wrong.status().to_string();
}

TEST(SequenceOps, BadPositionsAndElementTypesNameTheNode) {
  TestModel m(16);
  sequence_input(m, "seq", DataType::kFloat);
  m.input("pos", DataType::kInt64, {});
  m.input("t", DataType::kInt64, {1});
  m.node("SequenceAt", {"seq", "pos"}, {"at"});
  m.node("SequenceInsert", {"seq", "t"}, {"ins"});
  const Shape one{1};
  m.output("at", DataType::kFloat, &one);
  sequence_output(m, "ins", DataType::kFloat);
  auto s = m.session();
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  TensorSequence in = seq_of({{1}, {2}});
  auto out = (*s)->run_values({in, Tensor::scalar<int64_t>(2), Tensor::from_vector<int64_t>({1}, {5})});
  ASSERT_FALSE(out.is_ok());
  EXPECT_NE(out.status().message().find("SequenceAt"), std::string::npos) << out.status().to_string();
  EXPECT_NE(out.status().message().find("out of range [-2, 1]"), std::string::npos) << out.status().to_string();
  auto typed = (*s)->run_values({in, Tensor::scalar<int64_t>(-2), Tensor::from_vector<int64_t>({1}, {5})});
  ASSERT_FALSE(typed.is_ok());
  EXPECT_NE(typed.status().message().find("SequenceInsert"), std::string::npos) << typed.status().to_string();
  EXPECT_NE(typed.status().message().find("int64 tensor into a sequence of float32"), std::string::npos)
      << typed.status().to_string();
}

TEST(SequenceOps, TensorOnlyApiRefusesSequenceOutputs) {
  TestModel m(16);
  m.input("x", DataType::kFloat, {2});
  m.node("SequenceConstruct", {"x"}, {"seq"});
  sequence_output(m, "seq", DataType::kFloat);
  auto s = m.session();
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  auto out = (*s)->run({vec({1, 2})});
  ASSERT_FALSE(out.is_ok());
  EXPECT_NE(out.status().message().find("output 'seq' is a sequence"), std::string::npos) << out.status().to_string();
  EXPECT_TRUE((*s)->run_values({vec({1, 2})}).is_ok());
}

// A tensor op handed a sequence (a model the checker does not catch: no type info on the
// value) fails naming the node instead of reading the box as tensor bytes.
TEST(SequenceOps, TensorOpGivenASequenceNamesTheNode) {
  TestModel m(16);
  sequence_input(m, "seq", DataType::kFloat);
  m.node("Relu", {"seq"}, {"y"});
  m.output("y");
  auto s = m.session();
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  auto out = (*s)->run_values({seq_of({{1}})});
  ASSERT_FALSE(out.is_ok());
  EXPECT_NE(out.status().message().find("Relu"), std::string::npos) << out.status().to_string();
  EXPECT_NE(out.status().message().find("is a sequence, but the op takes tensors"), std::string::npos)
      << out.status().to_string();
}

TEST(OptionalOps, WrapTestAndUnwrap) {
  TestModel m(16);
  optional_tensor_input(m, "opt", DataType::kFloat);
  m.node("OptionalHasElement", {"opt"}, {"has"});
  m.node("OptionalGetElement", {"opt"}, {"value"});
  const Shape scalar{}, two{2};
  m.output("has", DataType::kBool, &scalar).output("value", DataType::kFloat, &two);
  auto s = m.session();
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  OptionalValue present;
  present.present = true;
  present.elem_type = DataType::kFloat;
  present.tensor = vec({4, 5});
  auto out = (*s)->run_values({present});
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_TRUE(std::get<Tensor>((*out)[0]).data<bool>()[0]);
  EXPECT_EQ(floats(std::get<Tensor>((*out)[1])), (std::vector<float>{4, 5}));

  OptionalValue empty;
  empty.elem_type = DataType::kFloat;
  auto none = (*s)->run_values({empty});
  ASSERT_FALSE(none.is_ok());
  EXPECT_NE(none.status().message().find("OptionalGetElement"), std::string::npos) << none.status().to_string();
  EXPECT_NE(none.status().message().find("empty"), std::string::npos) << none.status().to_string();
}

TEST(OptionalOps, OptionalOfSequenceAndEmptyOptionalFromType) {
  TestModel m(16);
  m.input("x", DataType::kFloat, {2});
  m.node("SequenceConstruct", {"x", "x"}, {"seq"});
  m.node("Optional", {"seq"}, {"opt_seq"});
  auto& e = m.node("Optional", {}, {"empty"});
  auto* a = e.add_attribute();
  a->set_name("type");
  a->set_type(onnx::AttributeProto::TYPE_PROTO);
  set_sequence_type(a->mutable_tp(), DataType::kFloat);
  m.node("OptionalHasElement", {"empty"}, {"empty_has"});
  m.output("opt_seq").output("empty").output("empty_has");
  auto s = m.session();
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  auto out = (*s)->run_values({vec({1, 2})});
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  const auto& opt = std::get<OptionalValue>((*out)[0]);
  ASSERT_TRUE(opt.present);
  ASSERT_TRUE(opt.holds_sequence);
  EXPECT_EQ(opt.sequence.tensors.size(), 2u);
  const auto& empty = std::get<OptionalValue>((*out)[1]);
  EXPECT_FALSE(empty.present);
  EXPECT_TRUE(empty.holds_sequence);
  EXPECT_FALSE(std::get<Tensor>((*out)[2]).data<bool>()[0]);
}

// A Loop whose carried value is a sequence grows it by one element per iteration.
TEST(SequenceOps, LoopCarriesASequence) {
  TestModel m(16);
  m.input("trips", DataType::kInt64, {});
  m.initializer("cond", Tensor::scalar<bool>(true));
  m.node("SequenceEmpty", {}, {"start"});
  onnx::GraphProto body;
  body.set_name("body");
  auto add_in = [&](const std::string& name, DataType dt) {
    auto* vi = body.add_input();
    vi->set_name(name);
    set_tensor_type(vi->mutable_type(), dt, 0);
    return vi;
  };
  add_in("i", DataType::kInt64);
  add_in("c", DataType::kBool);
  auto* sv = body.add_input();
  sv->set_name("s_in");
  set_sequence_type(sv->mutable_type(), DataType::kFloat);
  auto* cast = body.add_node();
  cast->set_op_type("Cast");
  cast->add_input("i");
  cast->add_output("f");
  set_attr(*cast, "to", static_cast<int64_t>(DataType::kFloat));
  auto* ins = body.add_node();
  ins->set_op_type("SequenceInsert");
  ins->add_input("s_in");
  ins->add_input("f");
  ins->add_output("s_out");
  body.add_output()->set_name("c");
  set_tensor_type(body.mutable_output(0)->mutable_type(), DataType::kBool, 0);
  auto* so = body.add_output();
  so->set_name("s_out");
  set_sequence_type(so->mutable_type(), DataType::kFloat);
  auto& loop = m.node("Loop", {"trips", "cond", "start"}, {"grown"});
  auto* g = loop.add_attribute();
  g->set_name("body");
  g->set_type(onnx::AttributeProto::GRAPH);
  *g->mutable_g() = body;
  auto& cat = m.node("ConcatFromSequence", {"grown"}, {"all"});
  set_attr(cat, "axis", 0);
  set_attr(cat, "new_axis", 1);
  sequence_output(m, "grown", DataType::kFloat);
  m.output("all");
  auto s = m.session();
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  auto out = (*s)->run_values({Tensor::scalar<int64_t>(4)});
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_EQ(std::get<TensorSequence>((*out)[0]).tensors.size(), 4u);
  EXPECT_EQ(floats(std::get<Tensor>((*out)[1])), (std::vector<float>{0, 1, 2, 3}));
}

TEST(SequenceOps, SequenceMapAddsATensorToEveryElement) {
  TestModel m(17);
  sequence_input(m, "seq", DataType::kFloat);
  m.input("bias", DataType::kFloat, {2});
  onnx::GraphProto body;
  body.set_name("map_body");
  for (const char* name : {"e", "b"}) {
    auto* vi = body.add_input();
    vi->set_name(name);
    vi->mutable_type()->mutable_tensor_type()->set_elem_type(static_cast<int>(DataType::kFloat));
  }
  auto* add = body.add_node();
  add->set_op_type("Add");
  add->add_input("e");
  add->add_input("b");
  add->add_output("sum");
  body.add_output()->set_name("sum");
  body.mutable_output(0)->mutable_type()->mutable_tensor_type()->set_elem_type(static_cast<int>(DataType::kFloat));
  auto& map = m.node("SequenceMap", {"seq", "bias"}, {"mapped"});
  auto* g = map.add_attribute();
  g->set_name("body");
  g->set_type(onnx::AttributeProto::GRAPH);
  *g->mutable_g() = body;
  m.output("mapped");
  auto s = m.session();
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  auto out = (*s)->run_values({seq_of({{1, 2}, {3, 4}, {5, 6}}), vec({10, 20})});
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  const auto& got = std::get<TensorSequence>((*out)[0]);
  ASSERT_EQ(got.tensors.size(), 3u);
  EXPECT_EQ(floats(got.tensors[2]), (std::vector<float>{15, 26}));
  // An empty input sequence maps to an empty sequence of the body's output type.
  auto empty = (*s)->run_values({TensorSequence{DataType::kFloat, {}}, vec({10, 20})});
  ASSERT_TRUE(empty.is_ok()) << empty.status().to_string();
  EXPECT_TRUE(std::get<TensorSequence>((*empty)[0]).tensors.empty());
}

TEST(SequenceIo, ReadsSequenceAndOptionalProtos) {
  auto dir = std::filesystem::temp_directory_path() / ("fogline_seq_io_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  onnx::SequenceProto sp;
  sp.set_name("s");
  sp.set_elem_type(onnx::SequenceProto::TENSOR);
  tensor_to_proto(vec({1, 2}), "a", sp.add_tensor_values());
  tensor_to_proto(vec({3}), "b", sp.add_tensor_values());
  std::ofstream((dir / "seq.pb").string(), std::ios::binary) << sp.SerializeAsString();
  onnx::OptionalProto op;
  op.set_name("o");
  op.set_elem_type(onnx::OptionalProto::SEQUENCE);
  *op.mutable_sequence_value() = sp;
  std::ofstream((dir / "opt.pb").string(), std::ios::binary) << op.SerializeAsString();

  auto seq = read_value_pb((dir / "seq.pb").string(), kSequenceDType);
  ASSERT_TRUE(seq.is_ok()) << seq.status().to_string();
  const auto& s = std::get<TensorSequence>(*seq);
  ASSERT_EQ(s.tensors.size(), 2u);
  EXPECT_EQ(floats(s.tensors[1]), (std::vector<float>{3}));
  auto opt = read_value_pb((dir / "opt.pb").string(), kOptionalDType);
  ASSERT_TRUE(opt.is_ok()) << opt.status().to_string();
  const auto& o = std::get<OptionalValue>(*opt);
  EXPECT_TRUE(o.present);
  EXPECT_TRUE(o.holds_sequence);
  EXPECT_EQ(o.sequence.tensors.size(), 2u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace fogline::engine
