#include "app/notifier.h"

#include <sodium.h>

#include <boost/json.hpp>
#include <cstdio>

namespace minato::app {

namespace json = boost::json;

namespace {

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t c = s.find(',', pos);
    if (c == std::string::npos) c = s.size();
    if (c > pos) out.push_back(s.substr(pos, c - pos));
    pos = c + 1;
  }
  return out;
}

std::string b64(std::string_view raw) {
  std::string out(sodium_base64_ENCODED_LEN(raw.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                    raw.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

}  // namespace

Result<int> Notifier::deliver_due() {
  std::vector<store::Notification> due;
  {
    auto rx = store_.read();
    if (!rx) return fail(rx.error());
    auto d = (*rx)->due_notifications(clock_.now_us(), 20);
    if (!d) return fail(d.error());
    due = std::move(*d);
  }
  int delivered = 0;
  const access::Actor self{"system:notifier", "local", 0};
  for (auto& n : due) {
    bool mail = n.channel == "mail";
    if (mail ? !transport_.mail_configured() : !transport_.webhook_configured()) continue;
    Status sent = ok();
    if (mail) {
      auto msg = notify::format_mail(
          transport_.mail_from(), split_commas(n.recipients), n.subject, n.body, clock_.now_us(),
          "minato-" + std::to_string(n.id) + "-" + std::to_string(n.created_us));
      sent =
          msg ? transport_.send_mail(split_commas(n.recipients), *msg) : Status(fail(msg.error()));
    } else {
      std::string sig = "X-Minato-Signature: ed25519=" + b64(signer_.sign(n.body));
      sent = transport_.post_webhook(n.body, {sig, "X-Minato-Event: " + n.event});
    }
    auto st = writes_.execute_status(
        self, {"notify.deliver", "notification:" + std::to_string(n.id), access::Permission::kNone},
        [&](store::WriteTxn& tx, Effects& fx) -> Status {
          n.attempts += 1;
          if (sent) {
            n.sent_us = fx.now_us;
            n.last_error.clear();
            fx.reason = n.channel + " " + n.event + (mail ? " to " + n.recipients : "");
          } else {
            n.last_error = sent.error().message().substr(0, 300);
            int64_t wait_s = std::min<int64_t>(int64_t{30} << std::min(n.attempts - 1, 7), 3600);
            n.next_attempt_us = fx.now_us + wait_s * 1'000'000;
            n.abandoned = n.attempts >= kMaxAttempts;
            fx.result = "failure";
            fx.reason =
                n.channel + " " + n.event + ": " + n.last_error +
                (n.abandoned ? "; given up after " + std::to_string(n.attempts) + " attempts"
                             : "; retry at " + format_utc(n.next_attempt_us));
          }
          MINATO_TRY(tx.update_notification(n));
          fx.change = json::serialize(json::object{{"table", "notifications"},
                                                   {"op", "update"},
                                                   {"id", n.id},
                                                   {"attempts", n.attempts},
                                                   {"sent_us", n.sent_us},
                                                   {"abandoned", n.abandoned}});
          return ok();
        });
    if (!st) return fail(st.error());
    if (sent) ++delivered;
  }
  return delivered;
}

void Notifier::start(std::chrono::milliseconds poll) {
  thread_ = std::thread([this, poll] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      auto r = deliver_due();
      if (!r) std::fprintf(stderr, "minato: notifier: %s\n", r.error().message().c_str());
      lock.lock();
      cv_.wait_for(lock, poll, [this] { return stopping_; });
    }
  });
}

void Notifier::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace minato::app
