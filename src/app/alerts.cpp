#include "app/alerts.h"

#include <boost/json.hpp>

#include "common/clock.h"
#include "notify/transport.h"

namespace minato::app {

namespace json = boost::json;

std::string local_time_text(int64_t us, int utc_offset_s) {
  std::string t = format_utc(us + int64_t{utc_offset_s} * 1'000'000);  // 2026-11-26T10:15:00Z
  t[10] = ' ';
  t.pop_back();
  int m = utc_offset_s / 60;
  char sign = m < 0 ? '-' : '+';
  m = m < 0 ? -m : m;
  std::string off = std::string(1, sign) + (m / 60 < 10 ? "0" : "") + std::to_string(m / 60) + ":" +
                    (m % 60 < 10 ? "0" : "") + std::to_string(m % 60);
  return t + " (UTC" + off + ")";
}

Result<std::vector<std::string>> parse_mail_list(const std::string& text,
                                                 const std::string& setting) {
  std::vector<std::string> out;
  for (size_t pos = 0; pos <= text.size();) {
    size_t comma = text.find(',', pos);
    if (comma == std::string::npos) comma = text.size();
    std::string addr = text.substr(pos, comma - pos);
    while (!addr.empty() && addr.front() == ' ') addr.erase(0, 1);
    while (!addr.empty() && addr.back() == ' ') addr.pop_back();
    pos = comma + 1;
    if (addr.empty()) continue;
    if (!notify::valid_mail_address(addr)) {
      return fail(ErrorCode::kInvalidArgument,
                  setting + ": '" + addr.substr(0, 60) + "' is not a mail address");
    }
    out.push_back(addr);
  }
  return out;
}

Result<int> queue_alert(store::WriteTxn& tx, int64_t now_us, const AlertSettings& settings,
                        const Alert& a) {
  const std::string subject = "[Minato] " + a.title_ja + " / " + a.title_en;
  const std::string body = a.text_ja + "\n\n----\n\n" + a.text_en +
                           "\n\n-- \nMinato TOS (自動送信 / automatic notice; do not reply)\n";
  int queued = 0;
  auto add = [&](const std::string& channel, const std::string& recipients,
                 const std::string& text) -> Status {
    store::Notification n;
    n.channel = channel;
    n.recipients = recipients;
    n.subject = subject;
    n.body = text;
    n.event = a.event;
    n.created_us = now_us;
    auto id = tx.insert_notification(n);
    if (!id) return fail(id.error());
    ++queued;
    return ok();
  };
  if (!a.user_email.empty()) MINATO_TRY(add("mail", a.user_email, body));
  std::string staff;
  for (const auto& m : settings.security_mail) staff += (staff.empty() ? "" : ",") + m;
  if (!staff.empty()) MINATO_TRY(add("mail", staff, body));
  if (settings.webhook) {
    json::object hook{{"event", a.event},
                      {"at", format_utc(now_us)},
                      {"username", a.username},
                      {"summary", a.title_en},
                      {"details", json::parse(a.details_json.empty() ? "{}" : a.details_json)}};
    MINATO_TRY(add("webhook", "", json::serialize(hook)));
  }
  return queued;
}

}  // namespace minato::app
