#include "engine/conformance.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "core/file_util.h"
#include "engine/tensor_io.h"

namespace fogline::engine {
namespace fs = std::filesystem;

std::string compare_tensors(const Tensor& expected, const Tensor& actual, double rtol, double atol,
                            double* max_abs, double* max_rel) {
  *max_abs = 0;
  *max_rel = 0;
  if (expected.dtype() != actual.dtype()) {
    return std::string("type: expected ") + dtype_name(expected.dtype()) + ", got " + dtype_name(actual.dtype());
  }
  if (expected.shape() != actual.shape()) {
    return "shape: expected " + shape_to_string(expected.shape()) + ", got " + shape_to_string(actual.shape());
  }
  if (expected.dtype() == DataType::kString) {
    for (int64_t i = 0; i < expected.numel(); ++i) {
      if (expected.data<std::string>()[i] != actual.data<std::string>()[i]) {
        return "string " + std::to_string(i) + " differs";
      }
    }
    return "";
  }
  const bool exact = !dtype_is_float(expected.dtype());
  int64_t bad = 0;
  int64_t first_bad = -1;
  for (int64_t i = 0; i < expected.numel(); ++i) {
    double e = expected.value_as_double(i);
    double a = actual.value_as_double(i);
    if (std::isnan(e) || std::isnan(a)) {
      if (std::isnan(e) != std::isnan(a)) {
        if (first_bad < 0) first_bad = i;
        ++bad;
      }
      continue;
    }
    if (std::isinf(e) || std::isinf(a)) {
      if (e != a) {
        if (first_bad < 0) first_bad = i;
        ++bad;
      }
      continue;
    }
    double diff = std::fabs(e - a);
    *max_abs = std::max(*max_abs, diff);
    if (e != 0) *max_rel = std::max(*max_rel, diff / std::fabs(e));
    bool ok = exact ? (expected.value_as_int(i) == actual.value_as_int(i)) : diff <= atol + rtol * std::fabs(e);
    if (!ok) {
      if (first_bad < 0) first_bad = i;
      ++bad;
    }
  }
  if (bad == 0) return "";
  char buf[256];
  std::snprintf(buf, sizeof(buf), "%lld of %lld values differ (first at %lld: expected %.7g, got %.7g)",
                static_cast<long long>(bad), static_cast<long long>(expected.numel()),
                static_cast<long long>(first_bad), expected.value_as_double(first_bad),
                actual.value_as_double(first_bad));
  return buf;
}

namespace {

// Test data files may hold a SequenceProto or OptionalProto instead of a TensorProto.
Result<Tensor> read_test_tensor(const std::string& path) {
  FOGLINE_ASSIGN_OR_RETURN(std::string bytes, read_file(path));
  onnx::TensorProto p;
  if (!p.ParseFromString(bytes) || (p.data_type() == 0 && p.dims_size() == 0)) {
    return unsupported("'" + fs::path(path).filename().string() + "' is not a plain tensor "
                       "(sequence or optional test data)");
  }
  return tensor_from_proto(p, fs::path(path).parent_path().string());
}

// ONNX 1.12 stores bfloat16 test data as uint16 (numpy has no bfloat16); the bits are the same.
Tensor as_bfloat16_if(const Tensor& t, DataType wanted) {
  if (wanted == DataType::kBFloat16 && t.dtype() == DataType::kUInt16) {
    return Tensor::view(DataType::kBFloat16, t.shape(), const_cast<void*>(t.raw()), t.owner());
  }
  return t;
}

// Sequences compare element-wise, optionals by presence and then by their element.
std::string compare_values(const RunValue& expected, const RunValue& actual, double rtol, double atol,
                           double* max_abs, double* max_rel) {
  *max_abs = 0;
  *max_rel = 0;
  if (run_value_kind(expected) != run_value_kind(actual) &&
      (is_boxed_dtype(run_value_kind(expected)) || is_boxed_dtype(run_value_kind(actual)))) {
    return "kind: expected " + value_type_name(run_value_kind(expected)) + ", got " +
           value_type_name(run_value_kind(actual));
  }
  auto compare_sequences = [&](const TensorSequence& e, const TensorSequence& a) -> std::string {
    if (e.tensors.size() != a.tensors.size()) {
      return "sequence length: expected " + std::to_string(e.tensors.size()) + ", got " +
             std::to_string(a.tensors.size());
    }
    for (size_t i = 0; i < e.tensors.size(); ++i) {
      double ma = 0, mr = 0;
      Tensor want = as_bfloat16_if(e.tensors[i], a.tensors[i].dtype());
      std::string d = compare_tensors(want, a.tensors[i], rtol, atol, &ma, &mr);
      *max_abs = std::max(*max_abs, ma);
      *max_rel = std::max(*max_rel, mr);
      if (!d.empty()) return "sequence element " + std::to_string(i) + ": " + d;
    }
    return "";
  };
  if (const auto* e = std::get_if<TensorSequence>(&expected)) {
    return compare_sequences(*e, std::get<TensorSequence>(actual));
  }
  if (const auto* e = std::get_if<OptionalValue>(&expected)) {
    const auto& a = std::get<OptionalValue>(actual);
    if (e->present != a.present) {
      return std::string("optional: expected ") + (e->present ? "a value" : "none") + ", got " +
             (a.present ? "a value" : "none");
    }
    if (!e->present) return "";
    if (e->holds_sequence != a.holds_sequence) {
      return std::string("optional element: expected a ") + (e->holds_sequence ? "sequence" : "tensor") +
             ", got a " + (a.holds_sequence ? "sequence" : "tensor");
    }
    if (e->holds_sequence) return compare_sequences(e->sequence, a.sequence);
    Tensor want = as_bfloat16_if(e->tensor, a.tensor.dtype());
    return compare_tensors(want, a.tensor, rtol, atol, max_abs, max_rel);
  }
  const Tensor& a = std::get<Tensor>(actual);
  Tensor want = as_bfloat16_if(std::get<Tensor>(expected), a.dtype());
  return compare_tensors(want, a, rtol, atol, max_abs, max_rel);
}

// Reads test data of the kind the model declares (or, for outputs, the kind it produced).
Result<RunValue> read_test_value(const std::string& path, DataType kind) {
  if (is_boxed_dtype(kind)) return read_value_pb(path, kind);
  FOGLINE_ASSIGN_OR_RETURN(Tensor t, read_test_tensor(path));
  return RunValue(as_bfloat16_if(t, kind));
}

}  // namespace

ConformanceResult run_conformance_test(const std::string& dir, const SessionOptions& options) {
  ConformanceResult r;
  r.name = fs::path(dir).filename().string();
  auto fail = [&](ConformanceResult::Outcome o, const std::string& why) {
    r.outcome = o;
    r.reason = why;
    return r;
  };
  auto session = Session::open((fs::path(dir) / "model.onnx").string(), options);
  if (!session.is_ok()) {
    bool unsup = session.status().code() == StatusCode::kUnsupported;
    return fail(unsup ? ConformanceResult::Outcome::kUnsupported : ConformanceResult::Outcome::kFail,
                session.status().message());
  }
  std::vector<std::string> sets;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0) {
      sets.push_back(e.path().string());
    }
  }
  std::sort(sets.begin(), sets.end());
  if (sets.empty()) return fail(ConformanceResult::Outcome::kUnsupported, "no test_data_set_* folders");
  const Session& s = **session;
  for (const auto& set : sets) {
    std::vector<RunValue> inputs;
    for (size_t i = 0;; ++i) {
      fs::path p = fs::path(set) / ("input_" + std::to_string(i) + ".pb");
      if (!fs::exists(p)) break;
      DataType wanted = i < s.inputs().size() ? s.inputs()[i].type.dtype : DataType::kUndefined;
      auto v = read_test_value(p.string(), wanted);
      if (!v.is_ok()) {
        return fail(v.status().code() == StatusCode::kUnsupported ? ConformanceResult::Outcome::kUnsupported
                                                                  : ConformanceResult::Outcome::kFail,
                    v.status().message());
      }
      inputs.push_back(std::move(v).value());
    }
    // Tests may feed fewer inputs than declared when trailing inputs are optional; pad by name.
    if (inputs.size() != s.inputs().size()) {
      return fail(ConformanceResult::Outcome::kFail,
                  "test data has " + std::to_string(inputs.size()) + " inputs, the model declares " +
                      std::to_string(s.inputs().size()));
    }
    auto outputs = s.run_values(inputs);
    if (!outputs.is_ok()) {
      bool unsup = outputs.status().code() == StatusCode::kUnsupported;
      return fail(unsup ? ConformanceResult::Outcome::kUnsupported : ConformanceResult::Outcome::kFail,
                  "run: " + outputs.status().message());
    }
    for (size_t i = 0; i < outputs->size(); ++i) {
      fs::path p = fs::path(set) / ("output_" + std::to_string(i) + ".pb");
      if (!fs::exists(p)) break;
      DataType kind = run_value_kind((*outputs)[i]);
      if (!is_boxed_dtype(kind) && is_boxed_dtype(s.outputs()[i].type.dtype)) kind = s.outputs()[i].type.dtype;
      auto expected = read_test_value(p.string(), kind);
      if (!expected.is_ok()) {
        return fail(expected.status().code() == StatusCode::kUnsupported ? ConformanceResult::Outcome::kUnsupported
                                                                         : ConformanceResult::Outcome::kFail,
                    expected.status().message());
      }
      double max_abs = 0, max_rel = 0;
      std::string diff = compare_values(*expected, (*outputs)[i], 1e-3, 1e-7, &max_abs, &max_rel);
      r.max_abs_error = std::max(r.max_abs_error, max_abs);
      r.max_rel_error = std::max(r.max_rel_error, max_rel);
      if (!diff.empty()) {
        return fail(ConformanceResult::Outcome::kFail, "output " + std::to_string(i) + " '" +
                                                           s.outputs()[i].name + "': " + diff);
      }
    }
  }
  r.outcome = ConformanceResult::Outcome::kPass;
  return r;
}

std::vector<std::string> find_conformance_tests(const std::string& root) {
  std::vector<std::string> out;
  std::error_code ec;
  if (fs::exists(fs::path(root) / "model.onnx")) return {root};
  for (auto it = fs::recursive_directory_iterator(root, ec); it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_regular_file() && it->path().filename() == "model.onnx") out.push_back(it->path().parent_path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace fogline::engine
