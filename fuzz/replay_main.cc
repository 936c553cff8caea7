// Replays inputs through a fuzz target without libFuzzer, so that the ordinary (GCC) build
// compiles every target and CTest runs them: a change of a core API that a target uses breaks
// the build at once (it used to surface only in CI's clang fuzz step), and every input that once
// failed (tests/testdata/fuzz/<target>/) is replayed in the Release and ASan+UBSan builds.
//
//   fuzz_replay_<target> [--random N] FILE_OR_DIR...
//
// Each file is one input. --random N adds N inputs of 0..600 pseudo-random octets from a fixed
// seed (a smoke run of the target's checks; the real search is scripts/fuzz.sh). A target's
// FUZZ_CHECK aborts on a violated property, which fails the test.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

int RunFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    return 1;
  }
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  long random_inputs = 0;
  int files = 0;
  int errors = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--random" && i + 1 < argc) {
      random_inputs = std::strtol(argv[++i], nullptr, 10);
      continue;
    }
    const std::filesystem::path path(arg);
    if (std::filesystem::is_directory(path)) {
      for (const auto& entry : std::filesystem::directory_iterator(path)) {
        if (!entry.is_regular_file()) continue;
        errors += RunFile(entry.path());
        ++files;
      }
    } else {
      errors += RunFile(path);
      ++files;
    }
  }
  // xorshift64: fixed seed, so a failure repeats.
  uint64_t state = 0x9e3779b97f4a7c15ULL;
  auto next = [&state] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  std::vector<uint8_t> input;
  for (long n = 0; n < random_inputs; ++n) {
    input.resize(next() % 601);
    for (auto& b : input) b = static_cast<uint8_t>(next());
    LLVMFuzzerTestOneInput(input.data(), input.size());
  }
  std::printf("%d files, %ld random inputs replayed\n", files, random_inputs);
  return errors == 0 ? 0 : 1;
}
