// Element types, numbered as ONNX's TensorProto.DataType so they convert without a table.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

namespace fogline::engine {

enum class DataType : int32_t {
  kUndefined = 0,
  kFloat = 1,
  kUInt8 = 2,
  kInt8 = 3,
  kUInt16 = 4,
  kInt16 = 5,
  kInt32 = 6,
  kInt64 = 7,
  kString = 8,
  kBool = 9,
  kFloat16 = 10,
  kDouble = 11,
  kUInt32 = 12,
  kUInt64 = 13,
  kBFloat16 = 16,
};

// Bytes per element; 0 for kUndefined. Strings are stored as std::string objects.
size_t dtype_size(DataType t);
// "float32", "int64", ... as numpy and the Open Inference Protocol's users know them.
const char* dtype_name(DataType t);
bool dtype_is_known(int32_t onnx_type);
bool dtype_is_float(DataType t);  // float16/bfloat16/float/double

// IEEE binary16 stored as its bits; arithmetic goes through float.
struct Float16 {
  uint16_t bits = 0;
  Float16() = default;
  explicit Float16(float f) : bits(from_float(f)) {}
  operator float() const { return to_float(bits); }  // NOLINT
  static uint16_t from_float(float f);
  static float to_float(uint16_t h);
};

// bfloat16: the upper half of a float32, rounded to nearest even.
struct BFloat16 {
  uint16_t bits = 0;
  BFloat16() = default;
  explicit BFloat16(float f) : bits(from_float(f)) {}
  operator float() const {  // NOLINT
    uint32_t u = static_cast<uint32_t>(bits) << 16;
    float f;
    std::memcpy(&f, &u, 4);
    return f;
  }
  static uint16_t from_float(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40);  // NaN
    u += 0x7fffu + ((u >> 16) & 1u);
    return static_cast<uint16_t>(u >> 16);
  }
};

template <typename T>
struct DataTypeOf;
#define FOGLINE_DTYPE_OF(T, D) \
  template <>                  \
  struct DataTypeOf<T> {       \
    static constexpr DataType value = DataType::D; \
  }
FOGLINE_DTYPE_OF(float, kFloat);
FOGLINE_DTYPE_OF(double, kDouble);
FOGLINE_DTYPE_OF(uint8_t, kUInt8);
FOGLINE_DTYPE_OF(int8_t, kInt8);
FOGLINE_DTYPE_OF(uint16_t, kUInt16);
FOGLINE_DTYPE_OF(int16_t, kInt16);
FOGLINE_DTYPE_OF(int32_t, kInt32);
FOGLINE_DTYPE_OF(int64_t, kInt64);
FOGLINE_DTYPE_OF(uint32_t, kUInt32);
FOGLINE_DTYPE_OF(uint64_t, kUInt64);
FOGLINE_DTYPE_OF(bool, kBool);
FOGLINE_DTYPE_OF(Float16, kFloat16);
FOGLINE_DTYPE_OF(BFloat16, kBFloat16);
FOGLINE_DTYPE_OF(std::string, kString);
#undef FOGLINE_DTYPE_OF

}  // namespace fogline::engine
