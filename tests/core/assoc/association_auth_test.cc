// Test 5 (RFC 5905 §8): a keyed association takes only replies the host found authentic, and a
// failed or crypto-NAK reply changes nothing but its counter.
#include <gtest/gtest.h>

#include "core/assoc/association.h"
#include "tests/core/assoc/assoc_harness.h"

namespace tempus::core::assoc {
namespace {

using testing::Bench;
using testing::TestConfig;

AssociationConfig Keyed() {
  AssociationConfig c = TestConfig();
  c.key_id = 1;
  return c;
}

TEST(AssocAuth, KeyedAssociationDropsUnauthenticReplies) {
  Bench b(Keyed());
  auto sent = b.Fire();
  ASSERT_EQ(sent.size(), 1u);
  const auto reply = b.Reply(sent[0]);
  b.DeliverNow(reply, AuthVerdict::kNone);       // no MAC at all
  b.DeliverNow(reply, AuthVerdict::kBad);        // wrong key or digest
  b.DeliverNow(reply, AuthVerdict::kCryptoNak);  // the server refused our MAC
  EXPECT_TRUE(b.measurements.empty());
  EXPECT_EQ(b.assoc().reach(), 0);
  EXPECT_EQ(b.assoc().stats().Rejected(AssocReject::kAuthFailed), 2u);
  EXPECT_EQ(b.assoc().stats().Rejected(AssocReject::kCryptoNak), 1u);
  // None of them consumed the cookie: the authentic reply is still taken.
  b.DeliverNow(reply, AuthVerdict::kOk);
  EXPECT_EQ(b.measurements.size(), 1u);
  EXPECT_EQ(b.assoc().stats().accepted, 1u);
  EXPECT_EQ(AssocRejectName(AssocReject::kAuthFailed), "auth_failed");
  EXPECT_EQ(AssocRejectName(AssocReject::kCryptoNak), "crypto_nak");
}

TEST(AssocAuth, UnkeyedAssociationIgnoresTheVerdict) {
  Bench b(TestConfig());
  auto sent = b.Fire();
  ASSERT_EQ(sent.size(), 1u);
  b.DeliverNow(b.Reply(sent[0]), AuthVerdict::kBad);
  EXPECT_EQ(b.measurements.size(), 1u);
  EXPECT_EQ(b.assoc().stats().Rejected(AssocReject::kAuthFailed), 0u);
}

}  // namespace
}  // namespace tempus::core::assoc
