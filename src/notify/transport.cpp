#include "notify/transport.h"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <cstring>
#include <ctime>
#include <mutex>

namespace minato::notify {

namespace {

std::string base64(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string rfc5322_date(int64_t us) {
  std::time_t t = static_cast<std::time_t>(us / 1'000'000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

void curl_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Upload {
  std::string_view data;
  size_t pos = 0;
};

size_t read_cb(char* buf, size_t size, size_t n, void* user) {
  auto* u = static_cast<Upload*>(user);
  size_t len = std::min(size * n, u->data.size() - u->pos);
  std::memcpy(buf, u->data.data() + u->pos, len);
  u->pos += len;
  return len;
}

size_t discard_cb(char*, size_t size, size_t n, void*) { return size * n; }

// Options every transfer gets: verification on, TLS 1.2+, no redirects, bounded time.
void secure_defaults(CURL* c, const std::string& ca_file, int timeout_s, char* errbuf) {
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(c, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  if (!ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, ca_file.c_str());
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(timeout_s));
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(timeout_s));
}

Error curl_error(const char* what, CURLcode rc, const char* errbuf) {
  std::string detail = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
  return Error(ErrorCode::kUnavailable, std::string(what) + ": " + detail);
}

class CurlTransport final : public Transport {
 public:
  CurlTransport(MailSettings mail, WebhookSettings webhook)
      : mail_(std::move(mail)), webhook_(std::move(webhook)) {
    curl_init_once();
  }

  bool mail_configured() const override { return !mail_.url.empty(); }
  bool webhook_configured() const override { return !webhook_.url.empty(); }
  const std::string& mail_from() const override { return mail_.from; }

  Status send_mail(const std::vector<std::string>& to, const std::string& message) override {
    if (!mail_configured()) {
      return fail(ErrorCode::kFailedPrecondition, "notify.smtp_url is not set");
    }
    CURL* c = curl_easy_init();
    if (c == nullptr) return fail(ErrorCode::kResourceExhausted, "cannot start a mail transfer");
    char errbuf[CURL_ERROR_SIZE] = {0};
    secure_defaults(c, mail_.ca_file, mail_.timeout_s, errbuf);
    curl_easy_setopt(c, CURLOPT_URL, mail_.url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    // smtp:// must upgrade with STARTTLS or fail; smtps:// is TLS from the start.
    curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
    if (!mail_.user.empty()) {
      curl_easy_setopt(c, CURLOPT_USERNAME, mail_.user.c_str());
      curl_easy_setopt(c, CURLOPT_PASSWORD, mail_.password.c_str());
    }
    std::string from = "<" + mail_.from + ">";
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
    curl_slist* rcpt = nullptr;
    for (const auto& r : to) rcpt = curl_slist_append(rcpt, ("<" + r + ">").c_str());
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    Upload up{message};
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(c, CURLOPT_READDATA, &up);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK) return fail(curl_error("mail not sent", rc, errbuf));
    return ok();
  }

  Status post_webhook(const std::string& json, const std::vector<std::string>& headers) override {
    if (!webhook_configured()) {
      return fail(ErrorCode::kFailedPrecondition, "notify.webhook_url is not set");
    }
    CURL* c = curl_easy_init();
    if (c == nullptr) return fail(ErrorCode::kResourceExhausted, "cannot start a webhook call");
    char errbuf[CURL_ERROR_SIZE] = {0};
    secure_defaults(c, webhook_.ca_file, webhook_.timeout_s, errbuf);
    curl_easy_setopt(c, CURLOPT_URL, webhook_.url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
    curl_slist* h = curl_slist_append(nullptr, "Content-Type: application/json");
    for (const auto& x : headers) h = curl_slist_append(h, x.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, json.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(json.size()));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard_cb);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK) return fail(curl_error("webhook not delivered", rc, errbuf));
    if (status < 200 || status > 299) {
      return fail(ErrorCode::kUnavailable,
                  "webhook not delivered: the receiver answered HTTP " + std::to_string(status));
    }
    return ok();
  }

 private:
  MailSettings mail_;
  WebhookSettings webhook_;
};

}  // namespace

std::unique_ptr<Transport> make_curl_transport(MailSettings mail, WebhookSettings webhook) {
  return std::make_unique<CurlTransport>(std::move(mail), std::move(webhook));
}

bool valid_mail_address(std::string_view a) {
  if (a.empty() || a.size() > 254) return false;
  size_t at = a.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 >= a.size() ||
      a.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  for (char ch : a) {
    auto u = static_cast<unsigned char>(ch);
    if (u <= 0x20 || u >= 0x7f || ch == '<' || ch == '>' || ch == '"' || ch == ',' || ch == ';' ||
        ch == '(' || ch == ')' || ch == '\\' || ch == '[' || ch == ']') {
      return false;
    }
  }
  return a.find('.', at) != std::string_view::npos;
}

Result<std::string> format_mail(const std::string& from, const std::vector<std::string>& to,
                                const std::string& subject, const std::string& body,
                                int64_t date_us, const std::string& message_id) {
  if (!valid_mail_address(from)) {
    return fail(ErrorCode::kInvalidArgument, "invalid sender address", "smtp_from");
  }
  if (to.empty()) return fail(ErrorCode::kInvalidArgument, "no recipients", "recipients");
  std::string to_line;
  for (const auto& r : to) {
    if (!valid_mail_address(r)) {
      return fail(ErrorCode::kInvalidArgument, "invalid recipient address", "recipients");
    }
    to_line += (to_line.empty() ? "" : ", ") + r;
  }
  std::string msg;
  msg += "Date: " + rfc5322_date(date_us) + "\r\n";
  msg += "From: Minato <" + from + ">\r\n";
  msg += "To: " + to_line + "\r\n";
  msg += "Message-ID: <" + message_id + "@" + from.substr(from.find('@') + 1) + ">\r\n";
  msg += "Subject: =?UTF-8?B?" + base64(subject) + "?=\r\n";
  msg += "MIME-Version: 1.0\r\n";
  msg += "Content-Type: text/plain; charset=UTF-8\r\n";
  msg += "Content-Transfer-Encoding: base64\r\n";
  msg += "Auto-Submitted: auto-generated\r\n\r\n";
  std::string encoded = base64(body);
  for (size_t i = 0; i < encoded.size(); i += 76) msg += encoded.substr(i, 76) + "\r\n";
  return msg;
}

}  // namespace minato::notify
