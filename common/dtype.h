#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace shmrl {

enum class DType : uint8_t { F32, I32, I64, U8, U32, U64 };

constexpr std::size_t dtype_size(DType t) {
  switch (t) {
    case DType::U8: return 1;
    case DType::F32: case DType::I32: case DType::U32: return 4;
    case DType::I64: case DType::U64: return 8;
  }
  return 0;
}

constexpr std::string_view dtype_name(DType t) {
  switch (t) {
    case DType::F32: return "float32";
    case DType::I32: return "int32";
    case DType::I64: return "int64";
    case DType::U8: return "uint8";
    case DType::U32: return "uint32";
    case DType::U64: return "uint64";
  }
  return "?";
}

}  // namespace shmrl
