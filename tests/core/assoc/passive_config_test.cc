// The passive association a mobilizing mode 1 packet gets (RFC 5905 §9.2; ntpd's newpeer for
// AM_NEWPASS): built from the version and poll of the packet core::server::Server::HandleNewPeer
// decoded and the key of its MAC.
#include <gtest/gtest.h>

#include "core/assoc/association_config.h"

namespace tempus::core::assoc {
namespace {

const NetAddress kPeer = *NetAddress::Parse("192.0.2.7:123");

AssociationConfig PassiveConfig(uint8_t version, int8_t poll, std::optional<uint32_t> key_id) {
  return PassiveAssociationConfig(kPeer, version, poll, key_id);
}

TEST(PassiveAssociationConfig, AnswersThePeerInModeTwoWithItsVersionAndKey) {
  const AssociationConfig c = PassiveConfig(3, 5, 42);
  EXPECT_EQ(c.address, kPeer);
  EXPECT_EQ(c.mode, Mode::kSymmetricPassive);
  EXPECT_EQ(c.version, 3);
  EXPECT_EQ(c.key_id, 42u);
  EXPECT_EQ(c.minpoll, PollExp(5));
  EXPECT_EQ(c.maxpoll, PollExp(kDefaultMaxPoll));
  EXPECT_FALSE(PassiveConfig(4, 5, std::nullopt).key_id);  // no MAC: unkeyed
  EXPECT_TRUE(ValidateAssociationConfig(c).has_value());
}

// A forged poll 17 must not keep a never-reachable association for days, nor poll -3 flood.
TEST(PassiveAssociationConfig, ThePeersPollIsClampedToTheDefaultMinPoll) {
  EXPECT_EQ(PassiveConfig(4, 17, 1).minpoll, PollExp(kDefaultMinPoll));
  EXPECT_EQ(PassiveConfig(4, -3, 1).minpoll, PollExp(PollExp::kMinPoll));
  EXPECT_EQ(PassiveConfig(4, 4, 1).minpoll, PollExp(4));
}

}  // namespace
}  // namespace tempus::core::assoc
