// The fuzz seed tests/testdata/fuzz/server_handle/nts-request-fake-keys must stay an NTS request
// the fakes of fake_nts.h accept, or fuzz_server_handle loses its way to the sealed reply (the
// fuzzer rarely finds a tag by chance). It is rebuilt here from the fakes and compared; when a fake
// changes on purpose, `TEMPUS_REGENERATE_FUZZ_SEEDS=1 core_test --gtest_filter='NtsFuzzSeed.*'`
// rewrites the file.
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/server/fake_nts.h"

namespace tempus::core::nts {
namespace {

// The first 40 octets of a server_handle input set the fuzzer's state (fuzz/server_handle_fuzz.cc
// reads them in order: stratum 2, precision -25, times, ...), as the seed was first written; the
// top bit of the 40th (the new-peer byte) turns NTS on.
std::vector<uint8_t> Prefix() {
  std::vector<uint8_t> p(40, 0);
  p[1] = 2;
  p[2] = 0xe7;
  const uint8_t tail[] = {0x2e, 0xb6, 0xee, 0x00, 0x00, 0x00, 0x00, 0x10,
                          0x2e, 0xb6, 0xee, 0x00, 0x00, 0x00, 0x00, 0x80};
  std::copy(std::begin(tail), std::end(tail), p.begin() + 24);
  return p;
}

TEST(NtsFuzzSeed, NtsRequestFakeKeysIsWhatTheFakesSeal) {
  const std::string path = std::string(TEMPUS_SOURCE_DIR) + "/tests/testdata/fuzz/server_handle/nts-request-fake-keys";
  std::vector<uint8_t> expected = Prefix();
  const SessionKeys keys = TestKeys();
  std::vector<uint8_t> cookie(FakeCookies::kSize);
  FakeCookies::Make(7, keys, cookie);
  const std::vector<uint8_t> request = NtsRequest(FakeAead(), keys.c2s, cookie, 1);
  ASSERT_FALSE(request.empty());
  expected.insert(expected.end(), request.begin(), request.end());
  if (const char* regenerate = std::getenv("TEMPUS_REGENERATE_FUZZ_SEEDS");
      regenerate && std::string(regenerate) == "1") {
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(expected.data()), static_cast<std::streamsize>(expected.size()));
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << path;
  const std::vector<uint8_t> seed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(seed, expected) << path << " is not what the fakes seal now: rebuild it with "
                            << "TEMPUS_REGENERATE_FUZZ_SEEDS=1 core_test --gtest_filter='NtsFuzzSeed.*'";
}

}  // namespace
}  // namespace tempus::core::nts
