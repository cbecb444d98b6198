// Transport: how notifications leave the system — mail over SMTP with STARTTLS (or SMTPS) and
// webhooks over HTTPS, both with certificate verification always on (G2.1.1-f). There is no
// setting that sends in clear or skips verification.
//
// CurlTransport is the real one (libcurl, kept out of this header); tests of the services use
// a recording fake, and integration tests run CurlTransport against a real SMTP server.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"

namespace minato::notify {

struct MailSettings {
  std::string url;       // smtp://host:port (STARTTLS required) or smtps://host:port
  std::string from;      // envelope and header sender
  std::string user;      // SMTP AUTH user; empty = no AUTH
  std::string password;  // SMTP AUTH password (read from a file by the caller)
  std::string ca_file;   // PEM bundle to verify the server; empty = system store
  int timeout_s = 30;
};

struct WebhookSettings {
  std::string url;      // https://...
  std::string ca_file;  // PEM bundle; empty = system store
  int timeout_s = 10;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Sends an RFC 5322 message to `to`. kUnavailable when the server cannot be reached or
  // refuses; kFailedPrecondition when mail is not configured.
  virtual Status send_mail(const std::vector<std::string>& to, const std::string& message) = 0;
  // POSTs `json` with the extra `headers` ("Name: value"); a non-2xx answer is an error.
  virtual Status post_webhook(const std::string& json, const std::vector<std::string>& headers) = 0;
  virtual bool mail_configured() const = 0;
  virtual bool webhook_configured() const = 0;
  virtual const std::string& mail_from() const = 0;
};

std::unique_ptr<Transport> make_curl_transport(MailSettings mail, WebhookSettings webhook);

// Formats a plain-text UTF-8 mail (RFC 5322, MIME, base64 body, RFC 2047 subject). Refuses
// addresses with characters that could inject headers.
Result<std::string> format_mail(const std::string& from, const std::vector<std::string>& to,
                                const std::string& subject, const std::string& body,
                                int64_t date_us, const std::string& message_id);

// True for a plain mailbox "local@domain" without spaces, quotes, angle brackets or controls.
bool valid_mail_address(std::string_view address);

}  // namespace minato::notify
