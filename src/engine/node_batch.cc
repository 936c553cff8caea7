// engine::Node's batches (node.h BeginBatch): one clock reading for the datagrams of one wake-up,
// and their replies stamped from one more and sent together, so that the server's hot path reads
// the clock twice per batch rather than three times per request.
#include "engine/node.h"

#include "base/check.h"

namespace tempus::engine {

void Node::BeginBatch() {
  TEMPUS_CHECK(!batch_);
  batch_ = clock_.ReadBatch();
}

void Node::EndBatch() {
  FlushReplies();
  batch_.reset();
}

void Node::FlushReplies() {
  if (waiting_count_ == 0) return;
  bool restamp = false;
  for (size_t i = 0; i < waiting_count_; ++i) restamp = restamp || waiting_[i].restamp;
  // T3, as late as we can, converted once for the batch.
  const core::NtpTimestamp transmit = restamp ? clock_.Now().ToNtp() : core::NtpTimestamp();
  for (size_t i = 0; i < waiting_count_; ++i) {
    Waiting& w = waiting_[i];
    const size_t size = SealReply(w.bytes, w.size, w.restamp, w.sign_key, transmit, keys_);
    outgoing_[i] = Transport::Outgoing{std::span<const uint8_t>(w.bytes).first(size), &w.to,
                                       w.local ? &*w.local : nullptr, w.route};
  }
  const size_t count = waiting_count_;
  waiting_count_ = 0;
  transport_.SendBatch(std::span<const Transport::Outgoing>(outgoing_).first(count));
}

void Node::ApplyClock(const core::discipline::ClockCommand& command) {
  FlushReplies();  // stamped before the clock moves, as their receive times were
  if (auto r = clock_.Apply(command); !r) Log("clock: " + r.error().ToString());
  if (batch_) batch_ = clock_.ReadBatch();
}

}  // namespace tempus::engine
