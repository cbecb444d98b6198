// Security alerts (G2.1.1-f, G2.1.2-b, G2.2.1-g): a login from a new source, a locked account,
// a blocked source, a self-reported compromise. An alert is queued in the notification outbox
// inside the command that detected it — so it is committed with the audit event, or not at
// all — as a mail to the user (when they have an address and the alert concerns them), a mail
// to security staff, and a webhook call. The Notifier delivers the outbox.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "store/store.h"

namespace minato::app {

struct AlertSettings {
  std::vector<std::string> security_mail;  // security staff; empty = none
  bool webhook = false;                    // a webhook URL is configured
  int utc_offset_s = 9 * 3600;             // local time shown in mails
};

struct Alert {
  std::string event;       // "login.new_source", "account.locked", ...
  std::string username;    // the account concerned ("" for a source block)
  std::string user_email;  // set when the user should get the mail too
  std::string title_ja, title_en;
  std::string text_ja, text_en;  // what happened and what to do
  std::string details_json;      // JSON object for the webhook
};

// The addresses of a comma-separated list (`setting` names it in errors).
Result<std::vector<std::string>> parse_mail_list(const std::string& text,
                                                 const std::string& setting);

// Queues the alert's mails and webhook call in `tx`. Returns how many were queued.
Result<int> queue_alert(store::WriteTxn& tx, int64_t now_us, const AlertSettings& settings,
                        const Alert& alert);

// "2026-11-26 10:15:00 (UTC+09:00)" for mails.
std::string local_time_text(int64_t us, int utc_offset_s);

}  // namespace minato::app
