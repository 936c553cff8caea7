// HexValue: one hex digit's value, for the key files (ntp.keys, the NTS cookie key file).
#ifndef TEMPUS_CONFIG_INTERNAL_HEX_H_
#define TEMPUS_CONFIG_INTERNAL_HEX_H_

namespace tempus::config::internal {

// 0..15 for 0-9, a-f, A-F; -1 for anything else.
inline int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace tempus::config::internal

#endif  // TEMPUS_CONFIG_INTERNAL_HEX_H_
