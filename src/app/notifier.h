// Notifier: delivers the notification outbox (G2.1.1-f). A background thread checks for due
// messages every `poll` and sends them through the Transport, one at a time; each delivery
// attempt is a command through the WritePath, so its outcome is audited (`notify.deliver`).
// A failed attempt is retried with a doubling wait (30 s, 1 min, ... capped at 1 h) and given
// up after 12 attempts (audited as a failure saying so). Messages of a channel that is not
// configured stay queued, untouched, until it is.
//
// Webhook bodies carry an Ed25519 signature by the data directory's signing key
// ("X-Minato-Signature: ed25519=<base64>"), so a receiver can tell them from forgeries.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "app/write_path.h"
#include "crypto/keys.h"
#include "notify/transport.h"
#include "store/store.h"

namespace minato::app {

class Notifier {
 public:
  static constexpr int kMaxAttempts = 12;

  Notifier(store::Store& store, WritePath& writes, const Clock& clock, notify::Transport& transport,
           const crypto::SigningKey& signer)
      : store_(store), writes_(writes), clock_(clock), transport_(transport), signer_(signer) {}
  ~Notifier() { stop(); }
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  // One pass: delivers what is due now. Returns how many were delivered.
  Result<int> deliver_due();

  void start(std::chrono::milliseconds poll);
  void stop();

 private:
  store::Store& store_;
  WritePath& writes_;
  const Clock& clock_;
  notify::Transport& transport_;
  const crypto::SigningKey& signer_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace minato::app
