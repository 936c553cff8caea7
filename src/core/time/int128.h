// 128-bit integers for exact fixed-point products (GCC/Clang extension, marked so -Wpedantic accepts it).
#ifndef TEMPUS_CORE_TIME_INT128_H_
#define TEMPUS_CORE_TIME_INT128_H_

namespace tempus::core {
__extension__ using Int128 = __int128;
__extension__ using UInt128 = unsigned __int128;
}  // namespace tempus::core

#endif  // TEMPUS_CORE_TIME_INT128_H_
