#include "engine/tensor_io.h"

#include <onnx/onnx-data_pb.h>
#include <onnx/onnx_pb.h>

#include <cstring>
#include <filesystem>

#include "core/file_util.h"

namespace fogline::engine {
namespace {

template <typename T, typename Field>
void copy_field(const Field& field, Tensor& t) {
  T* d = t.data<T>();
  for (int64_t i = 0; i < t.numel(); ++i) d[i] = static_cast<T>(field.Get(static_cast<int>(i)));
}

Result<std::string> read_external(const onnx::TensorProto& p, const std::string& base_dir) {
  std::string location;
  uint64_t offset = 0;
  int64_t length = -1;
  for (const auto& kv : p.external_data()) {
    if (kv.key() == "location") location = kv.value();
    if (kv.key() == "offset") offset = std::stoull(kv.value());
    if (kv.key() == "length") length = std::stoll(kv.value());
  }
  if (location.empty()) {
    return invalid_argument("tensor '" + p.name() + "' has external data without a location");
  }
  std::filesystem::path rel(location);
  if (rel.is_absolute() || location.find("..") != std::string::npos) {
    return invalid_argument("tensor '" + p.name() + "' points outside the model folder: '" +
                            location + "'");
  }
  std::string path = (std::filesystem::path(base_dir) / rel).string();
  FOGLINE_ASSIGN_OR_RETURN(std::string bytes, read_file(path));
  if (offset > bytes.size()) {
    return invalid_argument("tensor '" + p.name() + "': offset " + std::to_string(offset) +
                            " is past the end of '" + path + "'");
  }
  uint64_t avail = bytes.size() - offset;
  uint64_t len = length < 0 ? avail : static_cast<uint64_t>(length);
  if (len > avail) {
    return invalid_argument("tensor '" + p.name() + "': external data '" + path + "' holds " +
                            std::to_string(avail) + " bytes after offset, " +
                            std::to_string(len) + " expected");
  }
  return bytes.substr(offset, len);
}

}  // namespace

Result<Tensor> tensor_from_proto(const onnx::TensorProto& p, const std::string& base_dir) {
  if (!dtype_is_known(p.data_type())) {
    return unsupported("tensor '" + p.name() + "' has element type " +
                       std::to_string(p.data_type()) + ", which the engine does not support");
  }
  auto dtype = static_cast<DataType>(p.data_type());
  Shape shape(p.dims().begin(), p.dims().end());
  FOGLINE_ASSIGN_OR_RETURN(Tensor t, Tensor::allocate(dtype, shape));
  const int64_t n = t.numel();
  const std::string name = "tensor '" + p.name() + "'";

  std::string external;
  const std::string* raw = nullptr;
  if (p.data_location() == onnx::TensorProto::EXTERNAL) {
    FOGLINE_ASSIGN_OR_RETURN(external, read_external(p, base_dir));
    raw = &external;
  } else if (p.has_raw_data()) {
    raw = &p.raw_data();
  }

  if (dtype == DataType::kString) {
    if (p.string_data_size() != n) {
      return invalid_argument(name + " has " + std::to_string(p.string_data_size()) +
                              " strings for shape " + shape_to_string(shape));
    }
    for (int64_t i = 0; i < n; ++i) t.data<std::string>()[i] = p.string_data(static_cast<int>(i));
    return t;
  }
  if (raw) {
    if (raw->size() != t.nbytes()) {
      return invalid_argument(name + " holds " + std::to_string(raw->size()) + " bytes, but " +
                              dtype_name(dtype) + shape_to_string(shape) + " needs " +
                              std::to_string(t.nbytes()));
    }
    if (n > 0) std::memcpy(t.raw(), raw->data(), raw->size());
    return t;
  }
  auto check = [&](int count) -> Status {
    if (count != n) {
      return invalid_argument(name + " holds " + std::to_string(count) + " values, but shape " +
                              shape_to_string(shape) + " needs " + std::to_string(n));
    }
    return Status::ok();
  };
  switch (dtype) {
    case DataType::kFloat: FOGLINE_TRY(check(p.float_data_size())); copy_field<float>(p.float_data(), t); break;
    case DataType::kDouble: FOGLINE_TRY(check(p.double_data_size())); copy_field<double>(p.double_data(), t); break;
    case DataType::kInt64: FOGLINE_TRY(check(p.int64_data_size())); copy_field<int64_t>(p.int64_data(), t); break;
    case DataType::kUInt64: FOGLINE_TRY(check(p.uint64_data_size())); copy_field<uint64_t>(p.uint64_data(), t); break;
    case DataType::kUInt32: FOGLINE_TRY(check(p.uint64_data_size())); copy_field<uint32_t>(p.uint64_data(), t); break;
    case DataType::kInt32: FOGLINE_TRY(check(p.int32_data_size())); copy_field<int32_t>(p.int32_data(), t); break;
    case DataType::kInt16: FOGLINE_TRY(check(p.int32_data_size())); copy_field<int16_t>(p.int32_data(), t); break;
    case DataType::kUInt16: FOGLINE_TRY(check(p.int32_data_size())); copy_field<uint16_t>(p.int32_data(), t); break;
    case DataType::kInt8: FOGLINE_TRY(check(p.int32_data_size())); copy_field<int8_t>(p.int32_data(), t); break;
    case DataType::kUInt8: FOGLINE_TRY(check(p.int32_data_size())); copy_field<uint8_t>(p.int32_data(), t); break;
    case DataType::kBool: {
      FOGLINE_TRY(check(p.int32_data_size()));
      for (int64_t i = 0; i < n; ++i) t.data<bool>()[i] = p.int32_data(static_cast<int>(i)) != 0;
      break;
    }
    case DataType::kFloat16:
    case DataType::kBFloat16: {  // bits stored in int32_data
      FOGLINE_TRY(check(p.int32_data_size()));
      auto* d = static_cast<uint16_t*>(t.raw());
      for (int64_t i = 0; i < n; ++i) d[i] = static_cast<uint16_t>(p.int32_data(static_cast<int>(i)));
      break;
    }
    default: return unsupported(name + ": element type " + dtype_name(dtype));
  }
  return t;
}

void tensor_to_proto(const Tensor& t, const std::string& name, onnx::TensorProto* p) {
  p->Clear();
  p->set_name(name);
  p->set_data_type(static_cast<int32_t>(t.dtype()));
  for (int64_t d : t.shape()) p->add_dims(d);
  if (t.dtype() == DataType::kString) {
    for (int64_t i = 0; i < t.numel(); ++i) p->add_string_data(t.data<std::string>()[i]);
    return;
  }
  p->set_raw_data(std::string(static_cast<const char*>(t.raw()), t.nbytes()));
}

Result<Tensor> read_tensor_pb(const std::string& path) {
  FOGLINE_ASSIGN_OR_RETURN(std::string bytes, read_file(path));
  onnx::TensorProto p;
  if (!p.ParseFromString(bytes)) {
    return invalid_argument("'" + path + "' is not a serialized onnx.TensorProto");
  }
  auto t = tensor_from_proto(p, std::filesystem::path(path).parent_path().string());
  if (!t.is_ok()) return t.status().with_context("reading '" + path + "'");
  return t;
}

Result<TensorSequence> sequence_from_proto(const onnx::SequenceProto& p, const std::string& base_dir) {
  const std::string name = "sequence '" + p.name() + "'";
  if (p.elem_type() != onnx::SequenceProto::TENSOR && p.elem_type() != onnx::SequenceProto::UNDEFINED) {
    return unsupported(name + " holds elements of kind " + std::to_string(p.elem_type()) +
                       "; only sequences of tensors are supported");
  }
  if (p.sequence_values_size() || p.map_values_size() || p.optional_values_size() ||
      p.sparse_tensor_values_size()) {
    return unsupported(name + " holds non-tensor elements; only sequences of tensors are supported");
  }
  TensorSequence seq;
  for (const auto& tp : p.tensor_values()) {
    auto t = tensor_from_proto(tp, base_dir);
    if (!t.is_ok()) return t.status().with_context(name + " element " + std::to_string(seq.tensors.size()));
    if (seq.elem_type != DataType::kUndefined && t->dtype() != seq.elem_type) {
      return invalid_argument(name + " mixes element types " + dtype_name(seq.elem_type) + " and " +
                              dtype_name(t->dtype()));
    }
    seq.elem_type = t->dtype();
    seq.tensors.push_back(std::move(t).value());
  }
  return seq;
}

Result<OptionalValue> optional_from_proto(const onnx::OptionalProto& p, const std::string& base_dir) {
  const std::string name = "optional '" + p.name() + "'";
  OptionalValue o;
  switch (p.elem_type()) {
    case onnx::OptionalProto::UNDEFINED:  // an absent optional may not say what it would hold
      return o;
    case onnx::OptionalProto::TENSOR:
      if (!p.has_tensor_value()) return o;
      {
        auto t = tensor_from_proto(p.tensor_value(), base_dir);
        if (!t.is_ok()) return t.status().with_context(name);
        o.present = true;
        o.elem_type = t->dtype();
        o.tensor = std::move(t).value();
      }
      return o;
    case onnx::OptionalProto::SEQUENCE:
      o.holds_sequence = true;
      if (!p.has_sequence_value()) return o;
      {
        auto seq = sequence_from_proto(p.sequence_value(), base_dir);
        if (!seq.is_ok()) return seq.status().with_context(name);
        o.present = true;
        o.elem_type = seq->elem_type;
        o.sequence = std::move(seq).value();
      }
      return o;
    default:
      return unsupported(name + " holds an element of kind " + std::to_string(p.elem_type()) +
                         "; only tensors and sequences of tensors are supported");
  }
}

Result<RunValue> read_value_pb(const std::string& path, DataType kind) {
  const std::string base_dir = std::filesystem::path(path).parent_path().string();
  if (kind == kSequenceDType || kind == kOptionalDType) {
    FOGLINE_ASSIGN_OR_RETURN(std::string bytes, read_file(path));
    if (kind == kSequenceDType) {
      onnx::SequenceProto p;
      if (!p.ParseFromString(bytes)) return invalid_argument("'" + path + "' is not a SequenceProto");
      auto seq = sequence_from_proto(p, base_dir);
      if (!seq.is_ok()) return seq.status().with_context("'" + path + "'");
      return RunValue(std::move(seq).value());
    }
    onnx::OptionalProto p;
    if (!p.ParseFromString(bytes)) return invalid_argument("'" + path + "' is not an OptionalProto");
    auto opt = optional_from_proto(p, base_dir);
    if (!opt.is_ok()) return opt.status().with_context("'" + path + "'");
    return RunValue(std::move(opt).value());
  }
  FOGLINE_ASSIGN_OR_RETURN(Tensor t, read_tensor_pb(path));
  return RunValue(std::move(t));
}

Status write_tensor_pb(const Tensor& t, const std::string& name, const std::string& path) {
  onnx::TensorProto p;
  tensor_to_proto(t, name, &p);
  return write_file_atomic(path, p.SerializeAsString());
}

// ---- .npy (format version 1.0/2.0/3.0, little-endian, C order) ----

namespace {

Result<DataType> npy_descr_to_dtype(const std::string& d, const std::string& what) {
  static const std::pair<const char*, DataType> table[] = {
      {"<f4", DataType::kFloat},  {"<f8", DataType::kDouble}, {"<f2", DataType::kFloat16},
      {"|u1", DataType::kUInt8},  {"|i1", DataType::kInt8},   {"<u2", DataType::kUInt16},
      {"<i2", DataType::kInt16},  {"<i4", DataType::kInt32},  {"<i8", DataType::kInt64},
      {"<u4", DataType::kUInt32}, {"<u8", DataType::kUInt64}, {"|b1", DataType::kBool},
      {"<u1", DataType::kUInt8},  {"<i1", DataType::kInt8},   {"<b1", DataType::kBool},
  };
  for (const auto& [descr, dt] : table) {
    if (d == descr) return dt;
  }
  return unsupported(what + ": numpy dtype '" + d + "' is not supported");
}

const char* dtype_to_npy_descr(DataType t) {
  switch (t) {
    case DataType::kFloat: return "<f4";
    case DataType::kDouble: return "<f8";
    case DataType::kFloat16: return "<f2";
    case DataType::kUInt8: return "|u1";
    case DataType::kInt8: return "|i1";
    case DataType::kUInt16: return "<u2";
    case DataType::kInt16: return "<i2";
    case DataType::kInt32: return "<i4";
    case DataType::kInt64: return "<i8";
    case DataType::kUInt32: return "<u4";
    case DataType::kUInt64: return "<u8";
    case DataType::kBool: return "|b1";
    case DataType::kBFloat16: return "<u2";  // numpy has no bfloat16; its bits
    default: return nullptr;
  }
}

// Finds the quoted value after 'key': in the header dict.
std::string dict_value(const std::string& header, const std::string& key) {
  size_t k = header.find("'" + key + "'");
  if (k == std::string::npos) return "";
  size_t colon = header.find(':', k);
  if (colon == std::string::npos) return "";
  size_t start = header.find_first_not_of(" ", colon + 1);
  if (start == std::string::npos) return "";
  if (header[start] == '\'') {
    size_t end = header.find('\'', start + 1);
    return end == std::string::npos ? "" : header.substr(start + 1, end - start - 1);
  }
  if (header[start] == '(') {
    size_t end = header.find(')', start);
    return end == std::string::npos ? "" : header.substr(start, end - start + 1);
  }
  size_t end = header.find_first_of(",}", start);
  return header.substr(start, end - start);
}

}  // namespace

Result<Tensor> parse_npy(const std::string& bytes, const std::string& what) {
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) {
    return invalid_argument(what + " is not a .npy file (wrong magic)");
  }
  int major = static_cast<unsigned char>(bytes[6]);
  size_t header_len;
  size_t offset;
  if (major == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) return invalid_argument(what + ": truncated .npy header");
    header_len = 0;
    for (int i = 0; i < 4; ++i) header_len |= static_cast<size_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
    offset = 12;
  } else {
    return unsupported(what + ": .npy format version " + std::to_string(major));
  }
  if (offset + header_len > bytes.size()) return invalid_argument(what + ": truncated .npy header");
  std::string header = bytes.substr(offset, header_len);
  offset += header_len;
  std::string descr = dict_value(header, "descr");
  std::string fortran = dict_value(header, "fortran_order");
  std::string shape_str = dict_value(header, "shape");
  if (descr.empty() || shape_str.empty()) return invalid_argument(what + ": malformed .npy header '" + header + "'");
  if (fortran.find("True") != std::string::npos) {
    return unsupported(what + ": Fortran-ordered .npy arrays are not supported");
  }
  FOGLINE_ASSIGN_OR_RETURN(DataType dtype, npy_descr_to_dtype(descr, what));
  Shape shape;
  std::string digits;
  for (char c : shape_str) {
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (!digits.empty()) {
      shape.push_back(std::stoll(digits));
      digits.clear();
    }
  }
  FOGLINE_ASSIGN_OR_RETURN(Tensor t, Tensor::allocate(dtype, shape));
  if (bytes.size() - offset < t.nbytes()) {
    return invalid_argument(what + ": .npy data holds " + std::to_string(bytes.size() - offset) +
                            " bytes, " + dtype_name(dtype) + shape_to_string(shape) + " needs " +
                            std::to_string(t.nbytes()));
  }
  if (t.nbytes() > 0) std::memcpy(t.raw(), bytes.data() + offset, t.nbytes());
  return t;
}

Result<Tensor> read_npy(const std::string& path) {
  FOGLINE_ASSIGN_OR_RETURN(std::string bytes, read_file(path));
  return parse_npy(bytes, "'" + path + "'");
}

std::string encode_npy(const Tensor& t) {
  const char* descr = dtype_to_npy_descr(t.dtype());
  std::string shape = "(";
  for (size_t i = 0; i < t.shape().size(); ++i) {
    shape += std::to_string(t.shape()[i]);
    shape += (t.shape().size() == 1 || i + 1 < t.shape().size()) ? "," : "";
  }
  shape += ")";
  std::string header = std::string("{'descr': '") + (descr ? descr : "<f4") +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>((header.size() >> 8) & 0xff);
  out += header;
  out.append(static_cast<const char*>(t.raw()), t.nbytes());
  return out;
}

Status write_npy(const Tensor& t, const std::string& path) {
  if (!dtype_to_npy_descr(t.dtype())) {
    return unsupported(std::string("cannot write a ") + dtype_name(t.dtype()) + " tensor as .npy");
  }
  return write_file_atomic(path, encode_npy(t));
}

}  // namespace fogline::engine
