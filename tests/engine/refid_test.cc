#include "engine/refid.h"

#include <gtest/gtest.h>

namespace tempus::engine {
namespace {

TEST(RefIdForAddress, IPv4IsTheAddress) {
  EXPECT_EQ(RefIdForAddress(*core::NetAddress::Parse("10.0.0.1")).raw(), 0x0a000001u);
}

TEST(RefIdForAddress, IPv6IsTheMd5Prefix) {
  // MD5 of the 16 bytes of ::1 is cf404dc806178c245b5b4fe2531e6d8c.
  EXPECT_EQ(RefIdForAddress(*core::NetAddress::Parse("::1")).raw(), 0xcf404dc8u);
}

}  // namespace
}  // namespace tempus::engine
