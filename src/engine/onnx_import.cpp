#include "engine/onnx_import.h"

#include <onnx/onnx_pb.h>

#include <filesystem>
#include <set>

#include "core/file_util.h"
#include "engine/onnx_tools_sandbox.h"
#include "engine/tensor_io.h"
#include "engine/value.h"

namespace fogline::engine {
namespace {

// Sequences of tensors and optionals of a tensor or such a sequence; maps are not supported.
bool is_supported_value_type(const onnx::TypeProto& type) {
  if (type.has_tensor_type()) return true;
  if (type.has_sequence_type()) return type.sequence_type().elem_type().has_tensor_type();
  if (type.has_optional_type()) {
    const auto& e = type.optional_type().elem_type();
    return e.has_tensor_type() || (e.has_sequence_type() && e.sequence_type().elem_type().has_tensor_type());
  }
  return false;
}

ValueType value_type_from_proto(const onnx::TypeProto& type) {
  ValueType vt;
  // Sequences and optionals are boxed at run time (engine/value.h); their dtype is the marker.
  if (type.has_sequence_type()) {
    vt.dtype = kSequenceDType;
    return vt;
  }
  if (type.has_optional_type()) {
    vt.dtype = kOptionalDType;
    return vt;
  }
  if (!type.has_tensor_type()) return vt;
  const auto& tt = type.tensor_type();
  if (dtype_is_known(tt.elem_type())) vt.dtype = static_cast<DataType>(tt.elem_type());
  if (tt.has_shape()) {
    vt.has_shape = true;
    for (const auto& d : tt.shape().dim()) {
      Dim dim;
      if (d.has_dim_value()) {
        dim.value = d.dim_value();
      } else if (d.has_dim_param()) {
        dim.symbol = d.dim_param();
      }
      vt.dims.push_back(dim);
    }
  }
  return vt;
}

class GraphBuilder {
 public:
  GraphBuilder(const std::map<std::string, int>& opsets, std::string base_dir)
      : opsets_(opsets), base_dir_(std::move(base_dir)) {}

  // Converts the top graph's initializers now and frees their bytes in the protobuf, so that
  // a large model is not held twice while the IR is built; `build` then takes them over.
  Status adopt_initializers(onnx::GraphProto* gp) {
    for (auto& init : *gp->mutable_initializer()) {
      auto t = tensor_from_proto(init, base_dir_);
      if (!t.is_ok()) return t.status().with_context("initializer '" + init.name() + "'");
      adopted_.emplace(init.name(), std::move(t).value());
      std::string().swap(*init.mutable_raw_data());
      google::protobuf::RepeatedField<float>().Swap(init.mutable_float_data());
    }
    return Status::ok();
  }

  // `outer` holds the names visible from enclosing graphs (for subgraphs).
  Result<Graph> build(const onnx::GraphProto& gp, const std::set<std::string>& outer) {
    Graph g;
    g.opsets = opsets_;
    std::set<std::string> local;
    for (const auto& init : gp.initializer()) {
      auto adopted = adopted_.find(init.name());
      Result<Tensor> t = adopted != adopted_.end() ? Result<Tensor>(std::move(adopted->second))
                                                   : tensor_from_proto(init, base_dir_);
      if (adopted != adopted_.end()) adopted_.erase(adopted);
      if (!t.is_ok()) return t.status().with_context("initializer '" + init.name() + "'");
      int id = g.add_value(init.name());
      g.values[id].type.dtype = t->dtype();
      g.values[id].type.has_shape = true;
      for (int64_t d : t->shape()) g.values[id].type.dims.push_back(Dim{d, ""});
      g.values[id].constant = std::move(t).value();
      local.insert(init.name());
    }
    for (const auto& sp : gp.sparse_initializer()) {
      return unsupported("sparse initializer '" + sp.values().name() + "' is not supported");
    }
    for (const auto& in : gp.input()) {
      int id = g.add_value(in.name());
      local.insert(in.name());
      if (g.values[id].constant) continue;  // IR < 4 lists initializers as inputs too
      if (!is_supported_value_type(in.type())) {
        return unsupported("graph input '" + in.name() + "' is not a tensor, a sequence of tensors or "
                           "an optional of either (map inputs are not supported)");
      }
      g.values[id].type = value_type_from_proto(in.type());
      g.inputs.push_back(id);
    }
    for (const auto& vi : gp.value_info()) {
      int id = g.add_value(vi.name());
      if (!g.values[id].constant) g.values[id].type = value_type_from_proto(vi.type());
    }
    for (const auto& np : gp.node()) {
      for (const auto& out : np.output()) {
        if (!out.empty()) local.insert(out);
      }
    }
    for (const auto& np : gp.node()) {
      if (np.op_type() == "Constant" && np.domain().empty()) {
        FOGLINE_TRY(add_constant_node(np, g));
        continue;
      }
      Node node;
      node.name = np.name();
      node.op_type = np.op_type();
      node.domain = (np.domain() == "ai.onnx") ? "" : np.domain();
      auto it = opsets_.find(node.domain);
      if (it == opsets_.end()) {
        return invalid_argument("node " + node.op_type + " '" + node.name + "' uses domain '" +
                                node.domain + "', which the model does not import");
      }
      node.opset = it->second;
      for (const auto& in : np.input()) {
        if (in.empty()) {
          node.inputs.push_back(-1);
          continue;
        }
        if (!local.count(in) && outer.count(in)) {
          if (g.find_value(in) < 0) g.outer_refs.push_back(in);
        }
        node.inputs.push_back(g.add_value(in));
      }
      for (const auto& out : np.output()) node.outputs.push_back(out.empty() ? -1 : g.add_value(out));
      for (const auto& ap : np.attribute()) {
        std::set<std::string> visible = outer;
        visible.insert(local.begin(), local.end());
        auto a = convert_attribute(ap, visible, g, local);
        if (!a.is_ok()) return a.status().with_context(node.describe() + " attribute '" + ap.name() + "'");
        for (const auto& body : a->graphs) add_implicit_inputs(*body, local, g, node);
        if (a->g) add_implicit_inputs(*a->g, local, g, node);
        node.attrs.set(ap.name(), std::move(a).value());
      }
      g.nodes.push_back(std::move(node));
    }
    for (const auto& out : gp.output()) {
      int id = g.find_value(out.name());
      if (id < 0) {
        if (outer.count(out.name())) {
          id = g.add_value(out.name());
          g.outer_refs.push_back(out.name());
        } else {
          return invalid_argument("graph output '" + out.name() + "' is never computed");
        }
      }
      if (out.type().has_tensor_type()) {
        ValueType vt = value_type_from_proto(out.type());
        if (!g.values[id].constant && (vt.dtype != DataType::kUndefined || !g.values[id].type.has_shape)) {
          if (vt.has_shape || !g.values[id].type.has_shape) g.values[id].type = vt;
        }
      } else if (is_supported_value_type(out.type())) {
        if (!g.values[id].constant) g.values[id].type = value_type_from_proto(out.type());
      } else if (out.type().value_case() != onnx::TypeProto::VALUE_NOT_SET) {
        return unsupported("graph output '" + out.name() + "' is not a tensor, a sequence of tensors "
                           "or an optional of either (map outputs are not supported)");
      }
      g.outputs.push_back(id);
    }
    FOGLINE_TRY(g.topological_sort());
    FOGLINE_TRY(g.verify());
    return g;
  }

 private:
  // A body's outer references become implicit inputs of the node that owns the body; those
  // from further out become outer references of this graph too.
  static void add_implicit_inputs(const Graph& body, const std::set<std::string>& local, Graph& g,
                                  Node& node) {
    for (const auto& name : body.outer_refs) {
      bool known = g.find_value(name) >= 0;
      int id = g.add_value(name);
      node.implicit_inputs.push_back(id);
      if (!local.count(name) && !known) g.outer_refs.push_back(name);
    }
  }

  Status add_constant_node(const onnx::NodeProto& np, Graph& g) {
    if (np.output_size() != 1) return invalid_argument("Constant node '" + np.name() + "' must have one output");
    if (np.attribute_size() != 1) {
      return invalid_argument("Constant node '" + np.name() + "' must have exactly one value attribute");
    }
    const auto& a = np.attribute(0);
    Tensor t;
    if (a.name() == "value") {
      FOGLINE_ASSIGN_OR_RETURN(t, tensor_from_proto(a.t(), base_dir_));
    } else if (a.name() == "value_float") {
      t = Tensor::scalar<float>(a.f());
    } else if (a.name() == "value_floats") {
      t = Tensor::from_vector<float>({a.floats_size()}, {a.floats().begin(), a.floats().end()});
    } else if (a.name() == "value_int") {
      t = Tensor::scalar<int64_t>(a.i());
    } else if (a.name() == "value_ints") {
      t = Tensor::from_vector<int64_t>({a.ints_size()}, {a.ints().begin(), a.ints().end()});
    } else if (a.name() == "value_string") {
      FOGLINE_ASSIGN_OR_RETURN(t, Tensor::allocate(DataType::kString, {}));
      t.data<std::string>()[0] = a.s();
    } else if (a.name() == "value_strings") {
      FOGLINE_ASSIGN_OR_RETURN(t, Tensor::allocate(DataType::kString, {a.strings_size()}));
      for (int i = 0; i < a.strings_size(); ++i) t.data<std::string>()[i] = a.strings(i);
    } else {
      return unsupported("Constant node '" + np.name() + "' attribute '" + a.name() + "'");
    }
    int id = g.add_value(np.output(0));
    if (g.values[id].constant) {
      return invalid_argument("Constant node '" + np.name() + "' redefines '" + np.output(0) + "'");
    }
    g.values[id].type.dtype = t.dtype();
    g.values[id].type.has_shape = true;
    g.values[id].type.dims.clear();
    for (int64_t d : t.shape()) g.values[id].type.dims.push_back(Dim{d, ""});
    g.values[id].constant = std::move(t);
    return Status::ok();
  }

  Result<Attribute> convert_attribute(const onnx::AttributeProto& ap, const std::set<std::string>& visible,
                                      Graph&, const std::set<std::string>&) {
    Attribute a;
    using AP = onnx::AttributeProto;
    switch (ap.type()) {
      case AP::FLOAT: a.kind = Attribute::Kind::kFloat; a.f = ap.f(); break;
      case AP::INT: a.kind = Attribute::Kind::kInt; a.i = ap.i(); break;
      case AP::STRING: a.kind = Attribute::Kind::kString; a.s = ap.s(); break;
      case AP::TENSOR: {
        a.kind = Attribute::Kind::kTensor;
        FOGLINE_ASSIGN_OR_RETURN(a.t, tensor_from_proto(ap.t(), base_dir_));
        break;
      }
      case AP::GRAPH: {
        a.kind = Attribute::Kind::kGraph;
        FOGLINE_ASSIGN_OR_RETURN(Graph sub, build(ap.g(), visible));
        a.g = std::make_shared<Graph>(std::move(sub));
        break;
      }
      case AP::FLOATS: a.kind = Attribute::Kind::kFloats; a.floats.assign(ap.floats().begin(), ap.floats().end()); break;
      case AP::INTS: a.kind = Attribute::Kind::kInts; a.ints.assign(ap.ints().begin(), ap.ints().end()); break;
      case AP::STRINGS: a.kind = Attribute::Kind::kStrings; a.strings.assign(ap.strings().begin(), ap.strings().end()); break;
      case AP::TENSORS: {
        a.kind = Attribute::Kind::kTensors;
        for (const auto& tp : ap.tensors()) {
          FOGLINE_ASSIGN_OR_RETURN(Tensor t, tensor_from_proto(tp, base_dir_));
          a.tensors.push_back(std::move(t));
        }
        break;
      }
      case AP::GRAPHS: {
        a.kind = Attribute::Kind::kGraphs;
        for (const auto& gp : ap.graphs()) {
          FOGLINE_ASSIGN_OR_RETURN(Graph sub, build(gp, visible));
          a.graphs.push_back(std::make_shared<Graph>(std::move(sub)));
        }
        break;
      }
      case AP::TYPE_PROTO: {
        // Only Optional's `type` uses one: kept as ints {kind, element type}, kind being an
        // element type for optional(tensor) or kSequenceDType for optional(sequence(tensor)).
        const onnx::TypeProto& tp = ap.tp();
        a.kind = Attribute::Kind::kInts;
        if (tp.has_tensor_type()) {
          a.ints = {tp.tensor_type().elem_type(), tp.tensor_type().elem_type()};
        } else if (tp.has_sequence_type() && tp.sequence_type().elem_type().has_tensor_type()) {
          a.ints = {static_cast<int64_t>(kSequenceDType), tp.sequence_type().elem_type().tensor_type().elem_type()};
        } else {
          return unsupported("type attribute other than a tensor or a sequence of tensors");
        }
        break;
      }
      default: return unsupported("attribute type " + std::to_string(ap.type()));
    }
    return a;
  }

  std::map<std::string, int> opsets_;
  std::string base_dir_;
  std::map<std::string, Tensor> adopted_;
};

// Moves external data into the protobuf so the checker and converter see one self-contained model.
Status inline_external_data(onnx::GraphProto* g, const std::string& base_dir) {
  for (auto& init : *g->mutable_initializer()) {
    if (init.data_location() != onnx::TensorProto::EXTERNAL) continue;
    FOGLINE_ASSIGN_OR_RETURN(Tensor t, tensor_from_proto(init, base_dir));
    init.set_raw_data(std::string(static_cast<const char*>(t.raw()), t.nbytes()));
    init.clear_external_data();
    init.set_data_location(onnx::TensorProto::DEFAULT);
  }
  for (auto& node : *g->mutable_node()) {
    for (auto& attr : *node.mutable_attribute()) {
      if (attr.has_g()) FOGLINE_TRY(inline_external_data(attr.mutable_g(), base_dir));
      for (auto& sub : *attr.mutable_graphs()) FOGLINE_TRY(inline_external_data(&sub, base_dir));
    }
  }
  return Status::ok();
}

// libonnx 1.12's converter gets these adapters wrong (measured on the ONNX backend tests):
// PRelu 6->7 keeps a [C] slope that no longer broadcasts per channel, and Scan 8->9 drops
// the batch axis without rewriting the body. Models using them keep their own opset.
std::string op_the_converter_mishandles(const onnx::GraphProto& g) {
  for (const auto& n : g.node()) {
    if (!n.domain().empty() && n.domain() != "ai.onnx") continue;
    if (n.op_type() == "PRelu" || n.op_type() == "Scan") return n.op_type();
  }
  return "";
}

}  // namespace

static Status parse_model(const std::string& bytes, onnx::ModelProto* model) {
  if (bytes.empty()) return invalid_argument("the model file is empty");
  if (!model->ParseFromString(bytes)) {
    return invalid_argument("not a valid ONNX model: the protobuf does not parse (truncated or "
                            "corrupt file, or not an .onnx file)");
  }
  return Status::ok();
}

// Builds the IR from a parsed model (consumed: its initializers' bytes are freed on the way).
static Result<ImportedModel> import_onnx_model(onnx::ModelProto& model, int64_t file_bytes, const std::string& base_dir,
                                        const ImportOptions& options) {
  ImportedModel out;
  out.info.file_bytes = file_bytes;
  if (!model.has_graph()) return invalid_argument("the ONNX model has no graph");
  if (model.ir_version() <= 0) return invalid_argument("the ONNX model has no ir_version");
  FOGLINE_TRY(inline_external_data(model.mutable_graph(), base_dir));

  for (const auto& op : model.opset_import()) {
    std::string domain = op.domain() == "ai.onnx" ? "" : op.domain();
    out.info.opsets[domain] = static_cast<int>(op.version());
  }
  if (!out.info.opsets.count("")) {
    if (model.ir_version() < 3) out.info.opsets[""] = 1;
  }
  out.info.ir_version = model.ir_version();
  out.info.producer = model.producer_name() +
                      (model.producer_version().empty() ? "" : " " + model.producer_version());
  out.info.original_default_opset = out.info.opsets.count("") ? out.info.opsets[""] : 0;

  int opset = out.info.original_default_opset;
  OnnxToolsOptions tools;
  tools.check = options.run_checker;
  tools.infer_shapes = options.infer_shapes;
  if (options.upgrade_below_opset > 0 && opset > 0 && opset < options.upgrade_below_opset) {
    std::string blocker = op_the_converter_mishandles(model.graph());
    if (blocker.empty()) {
      tools.convert_to_opset = options.upgrade_below_opset;
    } else {
      out.info.warnings.push_back("opset " + std::to_string(opset) +
                                  " kept: the version converter mishandles " + blocker);
    }
  }
  if (tools.check || tools.convert_to_opset > 0 || tools.infer_shapes) {
    FOGLINE_ASSIGN_OR_RETURN(OnnxToolsOutcome outcome, run_onnx_tools(model, tools));
    out.info.warnings.insert(out.info.warnings.end(), outcome.warnings.begin(), outcome.warnings.end());
    if (outcome.converted) {
      out.info.opsets[""] = tools.convert_to_opset;
      out.info.opset_converted = true;
    }
  }

  GraphBuilder builder(out.info.opsets, base_dir);
  FOGLINE_TRY(builder.adopt_initializers(model.mutable_graph()));
  auto g = builder.build(model.graph(), {});
  if (!g.is_ok()) return g.status();
  out.graph = std::move(g).value();
  for (const auto& kv : model.metadata_props()) out.graph.metadata[kv.key()] = kv.value();
  return out;
}

Result<ImportedModel> import_onnx_bytes(const std::string& bytes, const std::string& base_dir,
                                        const ImportOptions& options) {
  onnx::ModelProto model;
  FOGLINE_TRY(parse_model(bytes, &model));
  return import_onnx_model(model, static_cast<int64_t>(bytes.size()), base_dir, options);
}

Result<ImportedModel> import_onnx_file(const std::string& path, const ImportOptions& options) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  onnx::ModelProto proto;
  int64_t file_bytes = 0;
  {
    // The file's bytes are freed once parsed: only the protobuf and then the IR stay.
    auto bytes = read_file(path);
    if (!bytes.is_ok()) return bytes.status();
    file_bytes = static_cast<int64_t>(bytes->size());
    Status parsed = parse_model(*bytes, &proto);
    if (!parsed.is_ok()) return parsed.with_context("'" + path + "'");
  }
  auto model = import_onnx_model(proto, file_bytes, dir.empty() ? "." : dir, options);
  if (!model.is_ok()) return model.status().with_context("'" + path + "'");
  model->info.path = path;
  return model;
}

}  // namespace fogline::engine
