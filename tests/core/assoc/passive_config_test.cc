// The passive association a mobilizing mode 1 packet gets (RFC 5905 §9.2; ntpd's newpeer for
// AM_NEWPASS): built from the header core::server::AdmitPassive decoded and the key of its MAC.
#include <gtest/gtest.h>

#include "core/assoc/association_config.h"

namespace tempus::core::assoc {
namespace {

const NetAddress kPeer = *NetAddress::Parse("192.0.2.7:123");

Header ModeOne(uint8_t version, int8_t poll) {
  Header h;
  h.mode = Mode::kSymmetricActive;
  h.version = version;
  h.poll = poll;
  return h;
}

TEST(PassiveConfig, AnswersThePeerInModeTwoWithItsVersionAndKey) {
  const AssociationConfig c = PassiveConfig(ModeOne(3, 5), kPeer, 42);
  EXPECT_EQ(c.address, kPeer);
  EXPECT_EQ(c.mode, Mode::kSymmetricPassive);
  EXPECT_EQ(c.version, 3);
  EXPECT_EQ(c.key_id, 42u);
  EXPECT_EQ(c.minpoll, PollExp(5));
  EXPECT_EQ(c.maxpoll, PollExp(kDefaultMaxPoll));
  EXPECT_FALSE(PassiveConfig(ModeOne(4, 5), kPeer, std::nullopt).key_id);  // no MAC: unkeyed
  EXPECT_TRUE(ValidateAssociationConfig(c).has_value());
}

// A forged poll 17 must not keep a never-reachable association for days, nor poll -3 flood.
TEST(PassiveConfig, ThePeersPollIsClampedToTheDefaultMinPoll) {
  EXPECT_EQ(PassiveConfig(ModeOne(4, 17), kPeer, 1).minpoll, PollExp(kDefaultMinPoll));
  EXPECT_EQ(PassiveConfig(ModeOne(4, -3), kPeer, 1).minpoll, PollExp(PollExp::kMinPoll));
  EXPECT_EQ(PassiveConfig(ModeOne(4, 4), kPeer, 1).minpoll, PollExp(4));
}

}  // namespace
}  // namespace tempus::core::assoc
