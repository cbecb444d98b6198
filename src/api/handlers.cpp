#include "api/handlers.h"

#include "api/console_routes.h"

#include <algorithm>
#include <chrono>

#include "common/qr.h"
#include "common/request_context.h"
#include "identity/password_policy.h"

#include <boost/json.hpp>

#include "api/json.h"
#include "app/step_up.h"
#include "app/views.h"
#include "audit/event.h"
#include "crypto/random.h"

namespace minato::api {

namespace json = boost::json;
namespace t = minato::terminal;

namespace {

std::string cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    size_t semi = header.find(';');
    std::string_view part = header.substr(0, semi);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > name.size() && part.substr(0, name.size()) == name &&
        part[name.size()] == '=') {
      return std::string(part.substr(name.size() + 1));
    }
    if (semi == std::string_view::npos) break;
    header.remove_prefix(semi + 1);
  }
  return {};
}

bool is_json(const HttpRequest& req) {
  std::string_view ct = req.header("content-type");
  std::string_view base = ct.substr(0, ct.find(';'));
  while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
  return base == "application/json";
}

json::array roles_json(const std::vector<std::string>& roles) {
  json::array a;
  for (const auto& r : roles) a.emplace_back(r);
  return a;
}

json::object login_history_json(const std::vector<store::AuditRecord>& records) {
  json::array logins;
  for (const auto& r : records) {
    logins.push_back(json::object{{"at", format_utc(r.at_us)},
                                  {"source", r.source},
                                  {"result", r.result},
                                  {"detail", r.reason}});
  }
  return json::object{{"logins", std::move(logins)}};
}

constexpr int kHistoryLimit = 50;

std::string time_or_empty(int64_t us) { return us == 0 ? std::string() : format_utc(us); }

json::object approval_json(const app::ApprovalView& v) {
  const auto& a = v.record;
  json::value change = json::parse(a.payload);
  // A configuration change: its difference, not the whole file (GET /api/v1/config/... has it).
  if (a.kind == app::kConfigChangeKind && change.is_object()) change.as_object().erase("text");
  return json::object{{"id", a.id},
                      {"kind", a.kind},
                      {"target", a.target},
                      {"change", std::move(change)},
                      {"reason", a.reason},
                      {"requested_by", a.requested_by},
                      {"requested_at", format_utc(a.requested_us)},
                      {"expires_at", format_utc(a.expires_us)},
                      {"status", v.expired ? std::string("expired") : a.status},
                      {"decided_by", a.decided_by},
                      {"decided_at", time_or_empty(a.decided_us)},
                      {"note", a.decision_note},
                      {"executed_by", a.executed_by},
                      {"executed_at", time_or_empty(a.executed_us)}};
}

json::object window_json(const store::MaintenanceWindow& w) {
  return json::object{{"id", w.id},
                      {"username", w.username},
                      {"start", format_utc(w.start_us)},
                      {"end", format_utc(w.end_us)},
                      {"approval", w.approval_id},
                      {"reason", w.reason},
                      {"started_at", time_or_empty(w.started_us)},
                      {"stopped_at", time_or_empty(w.stopped_us)}};
}

// PublicKeyCredentialCreationOptions / RequestOptions as JSON (binary fields base64url).
json::object webauthn_options_json(const app::WebAuthnOptions& o, bool create) {
  namespace wa = identity::webauthn;
  json::array creds;
  for (const auto& id : o.credential_ids) {
    creds.push_back(json::object{{"type", "public-key"}, {"id", wa::base64url_encode(id)}});
  }
  const char* uv = o.require_user_verification ? "required" : "preferred";
  if (!create) {
    return json::object{{"challenge", wa::base64url_encode(o.challenge)},
                        {"rpId", o.rp_id},
                        {"allowCredentials", std::move(creds)},
                        {"userVerification", uv},
                        {"timeout", 300000}};
  }
  return json::object{
      {"challenge", wa::base64url_encode(o.challenge)},
      {"rp", json::object{{"id", o.rp_id}, {"name", "Minato TOS"}}},
      {"user", json::object{{"id", wa::base64url_encode(o.user_handle)},
                            {"name", o.username},
                            {"displayName", o.username}}},
      {"pubKeyCredParams", json::array{json::object{{"type", "public-key"}, {"alg", wa::kES256}},
                                       json::object{{"type", "public-key"}, {"alg", wa::kEdDSA}}}},
      {"excludeCredentials", std::move(creds)},
      {"authenticatorSelection", json::object{{"userVerification", uv}}},
      {"attestation", "none"},
      {"timeout", 300000}};
}

json::object authenticator_json(const store::WebAuthnCredentialRecord& k) {
  return json::object{{"id", k.id},
                      {"name", k.name},
                      {"credential_id", identity::webauthn::base64url_encode(k.credential_id)},
                      {"alg", k.alg == identity::webauthn::kES256 ? "ES256" : "EdDSA"},
                      {"sign_count", k.sign_count},
                      {"created", format_utc(k.created_us)},
                      {"last_used", time_or_empty(k.last_used_us)}};
}

// The optional access fields of an account in a request body (account creation and access
// change requests share them): roles, allowed_sources, login_window, scope, email and
// valid_until ("" = no end date).
Result<app::AccessChange> access_fields(JsonBody& b) {
  app::AccessChange ch;
  auto roles = b.optional_strings("roles", 8, 32);
  if (!roles) return fail(roles.error());
  ch.roles = std::move(*roles);
  for (auto [key, field] : {std::pair{"allowed_sources", &ch.allowed_sources},
                            std::pair{"login_window", &ch.login_window},
                            std::pair{"scope", &ch.scope}, std::pair{"email", &ch.email}}) {
    auto v = b.optional_string(key, 2000);
    if (!v) return fail(v.error());
    *field = std::move(*v);
  }
  auto until = b.optional_string("valid_until", 20);
  if (!until) return fail(until.error());
  if (*until) {
    int64_t us = 0;
    if (!(*until)->empty() && !parse_utc(**until, &us)) {
      return fail(ErrorCode::kInvalidArgument,
                  "valid_until must be a UTC time like 2026-12-31T00:00:00Z, or \"\" for no end",
                  "valid_until");
    }
    ch.valid_until_us = us;
  }
  return ch;
}

// How the account's owner enrols (app::enrolment_view).
// The names of the permissions `roles` hold ("terminal_read", ...).
json::array permissions_json(const std::vector<std::string>& roles) {
  json::array out;
  const uint32_t held = access::permissions_of(roles);
  for (uint32_t bit = 1; bit != 0 && bit <= held; bit <<= 1) {
    if ((held & bit) != 0)
      out.emplace_back(access::to_string(static_cast<access::Permission>(bit)));
  }
  return out;
}

json::object enrolment_json(app::Runtime& rt, const app::CreatedUser& c) {
  return app::enrolment_view(rt.config().webauthn_origin, c);
}

// The second factor of a login or a step-up: exactly one of totp, a WebAuthn assertion
// (credential_id, client_data_json, authenticator_data, signature) or recovery_code.
Status read_second_factor(JsonBody& body, app::SecondFactor* out) {
  auto totp = body.optional_string("totp", 16);
  if (!totp) return fail(totp.error());
  auto recovery = body.optional_string("recovery_code", 32);
  if (!recovery) return fail(recovery.error());
  auto credential_id = body.optional_string("credential_id", 1400);
  if (!credential_id) return fail(credential_id.error());
  auto client_data = body.optional_string("client_data_json", 8000);
  if (!client_data) return fail(client_data.error());
  auto auth_data = body.optional_string("authenticator_data", 8000);
  if (!auth_data) return fail(auth_data.error());
  auto signature = body.optional_string("signature", 400);
  if (!signature) return fail(signature.error());
  int factors = (*totp ? 1 : 0) + (*recovery ? 1 : 0) + (*credential_id ? 1 : 0);
  if (factors != 1) {
    return fail(ErrorCode::kInvalidArgument,
                "give exactly one second factor: totp, a WebAuthn assertion (credential_id, "
                "client_data_json, authenticator_data, signature) or recovery_code",
                "second_factor");
  }
  if (*totp) out->totp = **totp;
  if (*recovery) out->recovery_code = **recovery;
  if (*credential_id) {
    if (!*client_data || !*auth_data || !*signature) {
      return fail(ErrorCode::kInvalidArgument,
                  "a WebAuthn assertion needs credential_id, client_data_json, "
                  "authenticator_data and signature");
    }
    app::WebAuthnLogin w;
    for (auto [text, field] : {std::pair{&**credential_id, &w.credential_id},
                               std::pair{&**client_data, &w.response.client_data_json},
                               std::pair{&**auth_data, &w.response.authenticator_data},
                               std::pair{&**signature, &w.response.signature}}) {
      auto raw = identity::webauthn::base64url_decode(*text);
      if (!raw) {
        return fail(ErrorCode::kInvalidArgument, "WebAuthn fields must be base64url");
      }
      *field = std::move(*raw);
    }
    out->webauthn = std::move(w);
  }
  return ok();
}

Result<int64_t> id_param(const PathParams& p) {
  const std::string& text = p.at("id");
  int64_t id = 0;
  bool good = !text.empty() && text.size() <= 18;
  for (char ch : text) {
    good = good && ch >= '0' && ch <= '9';
    if (good) id = id * 10 + (ch - '0');
  }
  if (!good || id == 0) return fail(ErrorCode::kNotFound, "no such request");
  return id;
}

}  // namespace

std::optional<HttpResponse> require_json(const HttpRequest& req) {
  if (is_json(req)) return std::nullopt;
  HttpResponse r =
      error_response(Error(ErrorCode::kInvalidArgument, "Content-Type must be application/json"));
  r.status = 415;
  return r;
}

Result<int64_t> id_param(const PathParams& p, const char* name) {
  const std::string& text = p.at(name);
  int64_t v = 0;
  bool good = !text.empty() && text.size() <= 18;
  for (char ch : text) {
    good = good && ch >= '0' && ch <= '9';
    if (good) v = v * 10 + (ch - '0');
  }
  if (!good || v == 0) {
    return fail(ErrorCode::kInvalidArgument, std::string(name) + " must be a positive number",
                name);
  }
  return v;
}

HttpResponse ok_json(const json::value& v, int status) { return json_response(status, v); }

HttpResponse raw_json(std::string body, int status) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse attachment(int status, std::string content_type, std::string body,
                        const std::string& filename) {
  HttpResponse r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  return r;
}

HttpResponse no_content() {
  HttpResponse r;
  r.status = 204;
  return r;
}

Result<int64_t> time_field(JsonBody& body, const char* key) {
  auto s = body.string(key, 20);
  if (!s) return fail(s.error());
  int64_t us = 0;
  if (!parse_utc(*s, &us)) {
    return fail(ErrorCode::kInvalidArgument,
                std::string(key) + " must be a UTC time like 2026-11-25T08:00:00Z", key);
  }
  return us;
}

HttpResponse guarded(const std::function<Result<HttpResponse>()>& fn) {
  Result<HttpResponse> r = fn();
  if (!r) return error_response(r.error());
  return std::move(*r);
}

CallerHandler with_body(BodyHandler fn) {
  return [fn = std::move(fn)](const HttpRequest& req, const PathParams& params,
                              const Caller& c) -> Result<HttpResponse> {
    if (auto refused = require_json(req)) return *refused;
    auto body = JsonBody::parse(req.body);
    if (!body) return fail(body.error());
    return fn(*body, params, c);
  };
}

// Wraps a handler that needs a logged-in caller; state-changing methods also need the CSRF
// token of that session and a JSON body.
Handler Api::authed(CallerHandler fn) const {
  return
      [this, fn = std::move(fn)](const HttpRequest& req, const PathParams& params) -> HttpResponse {
        // API clients: "Authorization: Bearer mnt_..." (no cookie, so no CSRF to guard).
        std::string_view authz = req.header("authorization");
        if (authz.rfind("Bearer ", 0) == 0) {
          if (req.path.rfind("/api/v1/session", 0) == 0) {
            return error_response(
                Error(ErrorCode::kPermissionDenied, "API tokens cannot use session endpoints"));
          }
          auto actor = rt_.identity().authenticate_token(std::string(authz.substr(7)), req.source);
          if (!actor) {
            rt_.refusal_log().count(req.source, "unauthenticated");
            return error_response(Error(ErrorCode::kUnauthenticated, "invalid or expired token"));
          }
          current_request().credential =
              "api-token:" + actor->subject.substr(actor->subject.rfind('/') + 1);
          Caller caller{{}, std::move(*actor), {}, true};
          return guarded([&]() -> Result<HttpResponse> { return fn(req, params, caller); });
        }
        std::string token = cookie_value(req.header("cookie"), kSessionCookie);
        auto auth = rt_.identity().authenticate(token, req.source);
        if (!auth) {
          rt_.refusal_log().count(req.source, "unauthenticated");
          return error_response(Error(ErrorCode::kUnauthenticated, "log in first"));
        }
        if (req.method != "GET" && req.method != "HEAD") {
          std::string_view csrf = req.header("x-csrf-token");
          if (csrf.empty() || !crypto::constant_time_equal(csrf, auth->first.csrf_token)) {
            return error_response(
                Error(ErrorCode::kPermissionDenied, "missing or wrong X-CSRF-Token header"));
          }
        }
        // G2.2.2-c: with an expired password only changing it (or leaving) is allowed.
        if (auth->first.password_expired && req.path != "/api/v1/session/password" &&
            req.path != "/api/v1/session/step-up" && req.path != "/api/v1/session") {
          return error_response(
              Error(ErrorCode::kPermissionDenied,
                    "your password has expired; change it first (POST /api/v1/session/password)"));
        }
        // G2.7.3-a: the session's public id (as the session list shows it), never the token.
        current_request().credential =
            "session:" + crypto::to_hex(crypto::sha256(crypto::sha256(token))).substr(0, 16);
        Caller caller{std::move(auth->first), std::move(auth->second), token, false};
        return guarded([&]() -> Result<HttpResponse> { return fn(req, params, caller); });
      };
}

Api::Api(app::Runtime& rt) : rt_(rt) {
  for (int c = 1; c <= 5; ++c) {
    by_class_[static_cast<size_t>(c - 1)] = &rt.metrics().counter(
        "minato_http_requests_total", "API requests answered, by status class",
        "code=\"" + std::to_string(c) + "xx\"");
  }
  latency_ = &rt.metrics().histogram("minato_http_request_duration_seconds",
                                     "Time to handle an API request (after TLS and parsing)");
  auto authed = [this](CallerHandler fn) { return this->authed(std::move(fn)); };

  router_.add("GET", "/api/v1/health", [](const HttpRequest&, const PathParams&) {
    return ok_json(json::object{{"status", "ok"}});
  });

  // --- session -----------------------------------------------------------------------------
  router_.add("POST", "/api/v1/session", [this](const HttpRequest& req, const PathParams&) {
    return guarded([&]() -> Result<HttpResponse> {
      if (auto refused = require_json(req)) return *refused;
      auto body = JsonBody::parse(req.body);
      if (!body) return fail(body.error());
      auto user = body->string("username", 64);
      if (!user) return fail(user.error());
      auto password = body->string("password", 1024);
      if (!password) return fail(password.error());
      app::LoginRequest login(*user, *password, "");
      MINATO_TRY(read_second_factor(*body, &login));
      MINATO_TRY(body->finish());
      auto r = rt_.identity().login(req.source, login);
      if (!r) return fail(r.error());
      HttpResponse resp = ok_json(json::object{{"username", r->username},
                                               {"roles", roles_json(r->roles)},
                                               {"csrf_token", r->csrf_token},
                                               {"password_expired", r->password_expired}},
                                  201);
      resp.headers.emplace_back("Set-Cookie", std::string(kSessionCookie) + "=" + r->session_token +
                                                  "; Path=/; Secure; HttpOnly; SameSite=Strict");
      return resp;
    });
  });
  router_.add(
      "GET", "/api/v1/session",
      authed([this](const HttpRequest&, const PathParams&,
                    const Caller& c) -> Result<HttpResponse> {
        const auto& cfg = rt_.config();
        // The console reads this at each load: who is logged in, the CSRF token its commands
        // carry (a same-origin read only: the cookie is SameSite=Strict and nothing allows
        // cross-origin reads), the idle timeout it shows, and the terminal's local time.
        return ok_json(json::object{
            {"username", c.session.username},
            {"roles", roles_json(c.session.roles)},
            {"created", format_utc(c.session.created_us)},
            {"csrf_token", c.session.csrf_token},
            // What the console shows; the services still check each.
            {"permissions", permissions_json(c.session.roles)},
            {"password_expired", c.session.password_expired},
            {"idle_timeout_s", cfg.session_idle_s},
            {"terminal", json::object{{"name", cfg.terminal_name}, {"utc_offset", cfg.utc_offset}}},
            // G2.1.2-a: until when sensitive operations need no step-up.
            {"step_up_until", format_utc(c.actor.step_up_until_us)}});
      }));
  // G2.1.2-a: prove a second factor again before a credential change or another sensitive
  // operation. Wrong factors count toward the account's lockout.
  router_.add("POST", "/api/v1/session/step-up",
              authed(with_body([this](JsonBody& b, const PathParams&,
                                      const Caller& c) -> Result<HttpResponse> {
                app::SecondFactor factor;
                MINATO_TRY(read_second_factor(b, &factor));
                MINATO_TRY(b.finish());
                MINATO_TRY(rt_.identity().step_up(c.actor, c.token, factor));
                return ok_json(json::object{
                    {"step_up_until", format_utc(rt_.clock().now_us() +
                                                 rt_.identity().step_up_window_s() * 1'000'000)}});
              })));
  router_.add("DELETE", "/api/v1/session",
              authed([this](const HttpRequest&, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                MINATO_TRY(rt_.identity().logout(c.actor, c.token));
                HttpResponse resp;
                resp.status = 204;
                resp.headers.emplace_back(
                    "Set-Cookie", std::string(kSessionCookie) +
                                      "=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0");
                return resp;
              }));

  // G2.2.2-e: one's own recent logins.
  router_.add("GET", "/api/v1/session/history",
              authed([this](const HttpRequest&, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                auto h = rt_.identity().login_history(c.actor, c.session.username, kHistoryLimit);
                if (!h) return fail(h.error());
                return ok_json(login_history_json(*h));
              }));

  // G2.2.2-c: change one's own password.
  router_.add("POST", "/api/v1/session/password",
              authed(with_body(
                  [this](JsonBody& b, const PathParams&, const Caller& c) -> Result<HttpResponse> {
                    auto current = b.string("current_password", 1024);
                    if (!current) return fail(current.error());
                    auto replacement = b.string("new_password", 1024);
                    if (!replacement) return fail(replacement.error());
                    MINATO_TRY(b.finish());
                    MINATO_TRY(rt_.identity().change_password(c.actor, c.session.username, *current,
                                                              *replacement));
                    return no_content();
                  })));

  // G2.1.2-b: "my credentials are compromised" — the account is disabled and every session ends.
  router_.add("POST", "/api/v1/session/compromised",
              authed([this](const HttpRequest&, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                MINATO_TRY(rt_.identity().report_compromised(c.actor, c.session.username));
                HttpResponse resp =
                    ok_json(json::object{{"username", c.session.username}, {"disabled", true}});
                resp.headers.emplace_back(
                    "Set-Cookie", std::string(kSessionCookie) +
                                      "=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0");
                return resp;
              }));

  // --- users (administration) --------------------------------------------------------------
  // G2.1.1-d/i: a new account gets a one-time enrolment link, never a password.
  router_.add("POST", "/api/v1/users",
              authed(with_body(
                  [this](JsonBody& b, const PathParams&, const Caller& c) -> Result<HttpResponse> {
                    auto name = b.string("username", 64);
                    if (!name) return fail(name.error());
                    auto f = access_fields(b);
                    if (!f) return fail(f.error());
                    app::NewUser u(*name, "", f->roles.value_or(std::vector<std::string>{}));
                    u.enrolment_link = true;
                    u.allowed_sources = f->allowed_sources.value_or("");
                    u.login_window = f->login_window.value_or("");
                    u.scope = f->scope.value_or("");
                    u.email = f->email.value_or("");
                    u.valid_until_us = f->valid_until_us.value_or(0);
                    MINATO_TRY(b.finish());
                    auto created = rt_.identity().create_user(c.actor, u);
                    if (!created) return fail(created.error());
                    return ok_json(enrolment_json(rt_, *created), 201);
                  })));
  router_.add("POST", "/api/v1/users/{username}/reset",
              authed(with_body([this](JsonBody& b, const PathParams& p,
                                      const Caller& c) -> Result<HttpResponse> {
                auto reason = b.string("reason", 200);
                if (!reason) return fail(reason.error());
                MINATO_TRY(b.finish());
                auto r = rt_.identity().reset_credentials(c.actor, p.at("username"), *reason);
                if (!r) return fail(r.error());
                return ok_json(enrolment_json(rt_, *r));
              })));
  // G2.1.1-c: the login password rule, for the console's live feedback while one is chosen
  // (anonymous: the rule is no secret; the server still checks every password it stores).
  router_.add("GET", "/api/v1/password-policy", [](const HttpRequest&, const PathParams&) {
    const auto p = identity::PasswordPolicy::for_use(identity::PasswordUse::kLogin);
    return ok_json(json::object{{"min_length", p.min_length},
                                {"max_length", p.max_length},
                                {"require_classes", p.require_classes},
                                {"not_user_name", true},
                                {"description", identity::describe(p)}});
  });
  // The owner completes the link (anonymous: the link is the credential).
  router_.add("POST", "/api/v1/enrolment", [this](const HttpRequest& req, const PathParams&) {
    return guarded([&]() -> Result<HttpResponse> {
      if (auto refused = require_json(req)) return *refused;
      auto body = JsonBody::parse(req.body);
      if (!body) return fail(body.error());
      auto token = body->string("token", 64);
      if (!token) return fail(token.error());
      auto password = body->string("password", 1024);
      if (!password) return fail(password.error());
      MINATO_TRY(body->finish());
      auto r = rt_.identity().complete_enrolment(req.source, *token, *password);
      if (!r) return fail(r.error());
      return ok_json(json::object{{"username", r->username},
                                  {"totp_secret", r->totp_secret_base32},
                                  {"otpauth_uri", r->otpauth_uri},
                                  // The console shows it as an image (never as markup).
                                  {"otpauth_qr_svg", qr_svg(r->otpauth_uri)}});
    });
  });

  // API tokens of line/haulier client accounts.
  router_.add("POST", "/api/v1/users/{username}/tokens",
              authed(with_body([this](JsonBody& b, const PathParams& p,
                                      const Caller& c) -> Result<HttpResponse> {
                auto name = b.string("name", 64);
                if (!name) return fail(name.error());
                auto days = b.integer("days", 1, app::IdentityService::kMaxTokenDays);
                if (!days) return fail(days.error());
                auto sources = b.optional_string("allowed_sources", 2000);
                if (!sources) return fail(sources.error());
                MINATO_TRY(b.finish());
                auto t =
                    rt_.identity().issue_api_token(c.actor, p.at("username"), *name,
                                                   static_cast<int>(*days), sources->value_or(""));
                if (!t) return fail(t.error());
                return ok_json(
                    json::object{
                        {"id", t->id}, {"token", t->token}, {"expires", format_utc(t->expires_us)}},
                    201);
              })));
  router_.add(
      "GET", "/api/v1/users/{username}/tokens",
      authed([this](const HttpRequest&, const PathParams& p,
                    const Caller& c) -> Result<HttpResponse> {
        auto all = rt_.identity().list_api_tokens(c.actor, p.at("username"));
        if (!all) return fail(all.error());
        MINATO_TRY(rt_.audit().record_access(c.actor, "api tokens", "user:" + p.at("username")));
        json::array arr;
        for (const auto& t : *all) {
          arr.push_back(json::object{{"id", t.id},
                                     {"name", t.name},
                                     {"allowed_sources", t.allowed_sources},
                                     {"created", format_utc(t.created_us)},
                                     {"expires", format_utc(t.expires_us)},
                                     {"last_used", time_or_empty(t.last_used_us)},
                                     {"revoked", time_or_empty(t.revoked_us)},
                                     {"created_by", t.created_by}});
        }
        return ok_json(json::object{{"tokens", std::move(arr)}});
      }));
  router_.add("POST", "/api/v1/users/{username}/tokens/{id}/rotate",
              authed([this](const HttpRequest&, const PathParams& p,
                            const Caller& c) -> Result<HttpResponse> {
                auto id = id_param(p);
                if (!id) return fail(ErrorCode::kNotFound, "no such token");
                auto t = rt_.identity().rotate_api_token(c.actor, p.at("username"), *id);
                if (!t) return fail(t.error());
                return ok_json(
                    json::object{
                        {"id", t->id}, {"token", t->token}, {"expires", format_utc(t->expires_us)}},
                    201);
              }));
  router_.add("DELETE", "/api/v1/users/{username}/tokens/{id}",
              authed([this](const HttpRequest&, const PathParams& p,
                            const Caller& c) -> Result<HttpResponse> {
                auto id = id_param(p);
                if (!id) return fail(ErrorCode::kNotFound, "no such token");
                MINATO_TRY(rt_.identity().revoke_api_token(c.actor, p.at("username"), *id));
                return no_content();
              }));
  router_.add("POST", "/api/v1/users/{username}/disable",
              authed(with_body([this](JsonBody& b, const PathParams& p,
                                      const Caller& c) -> Result<HttpResponse> {
                auto reason = b.string("reason", 200);
                if (!reason) return fail(reason.error());
                MINATO_TRY(b.finish());
                MINATO_TRY(rt_.identity().disable(c.actor, p.at("username"), *reason));
                return ok_json(json::object{{"username", p.at("username")}, {"disabled", true}});
              })));
  router_.add("POST", "/api/v1/users/{username}/enable",
              authed([this](const HttpRequest&, const PathParams& p,
                            const Caller& c) -> Result<HttpResponse> {
                MINATO_TRY(rt_.identity().enable(c.actor, p.at("username")));
                return ok_json(json::object{{"username", p.at("username")}, {"disabled", false}});
              }));
  router_.add(
      "GET", "/api/v1/users/{username}/sessions",
      authed(
          [this](const HttpRequest&, const PathParams& p, const Caller& c) -> Result<HttpResponse> {
            auto all = rt_.identity().sessions_of_user(c.actor, p.at("username"));
            if (!all) return fail(all.error());
            MINATO_TRY(rt_.audit().record_access(c.actor, "sessions", "user:" + p.at("username")));
            json::array arr;
            for (const auto& l : *all) {
              arr.push_back(json::object{{"id", l.id},
                                         {"source", l.session.source},
                                         {"created", format_utc(l.session.created_us)},
                                         {"last_seen", format_utc(l.session.last_seen_us)}});
            }
            return ok_json(json::object{{"sessions", std::move(arr)}});
          }));
  router_.add("DELETE", "/api/v1/users/{username}/sessions/{id}",
              authed([this](const HttpRequest&, const PathParams& p,
                            const Caller& c) -> Result<HttpResponse> {
                MINATO_TRY(rt_.identity().end_user_session(c.actor, p.at("username"), p.at("id")));
                return no_content();
              }));
  router_.add(
      "GET", "/api/v1/users/{username}/logins",
      authed([this](const HttpRequest&, const PathParams& p,
                    const Caller& c) -> Result<HttpResponse> {
        auto h = rt_.identity().login_history(c.actor, p.at("username"), kHistoryLimit);
        if (!h) return fail(h.error());
        MINATO_TRY(rt_.audit().record_access(c.actor, "login history", "user:" + p.at("username")));
        return ok_json(login_history_json(*h));
      }));
  router_.add("POST", "/api/v1/users/{username}/unlock",
              authed([this](const HttpRequest&, const PathParams& p,
                            const Caller& c) -> Result<HttpResponse> {
                MINATO_TRY(rt_.identity().unlock(c.actor, p.at("username")));
                return ok_json(json::object{{"username", p.at("username")}, {"locked", false}});
              }));

  // --- WebAuthn and recovery codes (G2.1.1-b, G2.2.2-d) ---------------------------------------
  router_.add(
      "POST", "/api/v1/session/webauthn/options",
      [this](const HttpRequest& req, const PathParams&) {
        return guarded([&]() -> Result<HttpResponse> {
          if (auto refused = require_json(req)) return *refused;
          auto body = JsonBody::parse(req.body);
          if (!body) return fail(body.error());
          auto user = body->string("username", 64);
          if (!user) return fail(user.error());
          MINATO_TRY(body->finish());
          if (rt_.source_guard().blocked(req.source)) {
            return fail(ErrorCode::kUnauthenticated, "login failed");
          }
          return ok_json(webauthn_options_json(rt_.identity().webauthn_login_begin(*user), false));
        });
      });
  router_.add("POST", "/api/v1/session/webauthn/register/options",
              authed([this](const HttpRequest&, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                auto o = rt_.identity().webauthn_register_begin(c.actor);
                if (!o) return fail(o.error());
                return ok_json(webauthn_options_json(*o, true));
              }));
  router_.add("POST", "/api/v1/session/webauthn/register",
              authed(with_body(
                  [this](JsonBody& b, const PathParams&, const Caller& c) -> Result<HttpResponse> {
                    auto name = b.string("name", 64);
                    if (!name) return fail(name.error());
                    auto client_data = b.string("client_data_json", 8000);
                    if (!client_data) return fail(client_data.error());
                    auto attestation = b.string("attestation_object", 40000);
                    if (!attestation) return fail(attestation.error());
                    MINATO_TRY(b.finish());
                    auto cd = identity::webauthn::base64url_decode(*client_data);
                    auto ao = identity::webauthn::base64url_decode(*attestation);
                    if (!cd || !ao) {
                      return fail(ErrorCode::kInvalidArgument, "WebAuthn fields must be base64url");
                    }
                    auto r = rt_.identity().webauthn_register_finish(c.actor, *name, {*cd, *ao});
                    if (!r) return fail(r.error());
                    return ok_json(authenticator_json(*r), 201);
                  })));
  router_.add("GET", "/api/v1/session/webauthn",
              authed([this](const HttpRequest&, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                auto all = rt_.identity().webauthn_list(c.actor);
                if (!all) return fail(all.error());
                json::array arr;
                for (const auto& k : *all) arr.push_back(authenticator_json(k));
                return ok_json(json::object{{"authenticators", std::move(arr)}});
              }));
  router_.add("DELETE", "/api/v1/session/webauthn/{id}",
              authed([this](const HttpRequest&, const PathParams& p,
                            const Caller& c) -> Result<HttpResponse> {
                auto id = id_param(p);
                if (!id) return fail(ErrorCode::kNotFound, "no such authenticator");
                MINATO_TRY(rt_.identity().webauthn_remove(c.actor, *id));
                return no_content();
              }));
  router_.add("PATCH", "/api/v1/session/webauthn/{id}",
              authed(with_body([this](JsonBody& b, const PathParams& p,
                                      const Caller& c) -> Result<HttpResponse> {
                auto id = id_param(p);
                if (!id) return fail(ErrorCode::kNotFound, "no such authenticator");
                auto name = b.string("name", 64);
                if (!name) return fail(name.error());
                MINATO_TRY(b.finish());
                MINATO_TRY(rt_.identity().webauthn_rename(c.actor, *id, *name));
                return ok_json(json::object{{"id", *id}, {"name", *name}});
              })));
  router_.add("POST", "/api/v1/session/recovery-codes",
              authed([this](const HttpRequest&, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                auto codes = rt_.identity().new_recovery_codes(c.actor);
                if (!codes) return fail(codes.error());
                json::array arr;
                for (const auto& code : *codes) arr.emplace_back(code);
                return ok_json(json::object{{"recovery_codes", std::move(arr)}}, 201);
              }));
  router_.add("GET", "/api/v1/session/recovery-codes",
              authed([this](const HttpRequest&, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                auto left = rt_.identity().recovery_codes_left(c.actor);
                if (!left) return fail(left.error());
                return ok_json(json::object{{"unused", *left}});
              }));

  // G2.2.2-e: one's own live sessions, and ending one of them.
  router_.add("GET", "/api/v1/session/sessions",
              authed([this](const HttpRequest&, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                json::array arr;
                std::string current = crypto::to_hex(crypto::sha256(crypto::sha256(c.token)));
                for (const auto& l : rt_.identity().sessions_of(c.actor)) {
                  arr.push_back(json::object{{"id", l.id},
                                             {"source", l.session.source},
                                             {"created", format_utc(l.session.created_us)},
                                             {"last_seen", format_utc(l.session.last_seen_us)},
                                             {"current", current.substr(0, 16) == l.id}});
                }
                return ok_json(json::object{{"sessions", std::move(arr)}});
              }));
  router_.add("DELETE", "/api/v1/session/sessions/{id}",
              authed([this](const HttpRequest&, const PathParams& p,
                            const Caller& c) -> Result<HttpResponse> {
                MINATO_TRY(rt_.identity().end_session(c.actor, p.at("id")));
                return no_content();
              }));

  // --- privileged changes: two-person rule (G2.1.1-h, G2.1.3) ------------------------------
  router_.add("POST", "/api/v1/approvals",
              authed(with_body([this](JsonBody& b, const PathParams&,
                                      const Caller& c) -> Result<HttpResponse> {
                auto kind = b.string("kind", 32);
                if (!kind) return fail(kind.error());
                auto reason = b.string("reason", 200);
                if (!reason) return fail(reason.error());
                Result<int64_t> id =
                    fail(ErrorCode::kInvalidArgument,
                         "kind must be user.access, role.rule or maintenance.window", "kind");
                if (*kind == "user.access") {
                  auto user = b.string("username", 64);
                  if (!user) return fail(user.error());
                  auto ch = access_fields(b);
                  if (!ch) return fail(ch.error());
                  MINATO_TRY(b.finish());
                  id = rt_.access().request_access_change(c.actor, *user, *ch, *reason);
                } else if (*kind == "role.rule") {
                  auto role = b.string("role", 32);
                  if (!role) return fail(role.error());
                  auto sources = b.string("allowed_sources", 2000);
                  if (!sources) return fail(sources.error());
                  auto window = b.string("login_window", 400);
                  if (!window) return fail(window.error());
                  MINATO_TRY(b.finish());
                  id = rt_.access().request_role_rule(c.actor, *role, *sources, *window, *reason);
                } else if (*kind == "maintenance.window") {
                  auto user = b.string("username", 64);
                  if (!user) return fail(user.error());
                  auto start = time_field(b, "start");
                  if (!start) return fail(start.error());
                  auto end = time_field(b, "end");
                  if (!end) return fail(end.error());
                  MINATO_TRY(b.finish());
                  id = rt_.access().request_maintenance(c.actor, *user, *start, *end, *reason);
                }
                if (!id) return fail(id.error());
                return ok_json(json::object{{"id", *id}, {"status", "pending"}}, 201);
              })));
  router_.add("GET", "/api/v1/approvals",
              authed([this](const HttpRequest&, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                auto all = rt_.access().list(c.actor, false);
                if (!all) return fail(all.error());
                json::array arr;
                for (const auto& v : *all) arr.push_back(approval_json(v));
                return ok_json(json::object{{"approvals", std::move(arr)}});
              }));
  for (const char* step : {"approve", "reject"}) {
    bool approve = std::string_view(step) == "approve";
    router_.add(
        "POST", std::string("/api/v1/approvals/{id}/") + step,
        authed(with_body([this, approve](JsonBody& b, const PathParams& p,
                                         const Caller& c) -> Result<HttpResponse> {
          auto id = id_param(p);
          if (!id) return fail(id.error());
          auto note = b.optional_string("note", 200);
          if (!note) return fail(note.error());
          MINATO_TRY(b.finish());
          std::string text = note->value_or("");
          MINATO_TRY(approve ? rt_.access().approve(c.actor, *id, text)
                             : rt_.access().reject(c.actor, *id, text));
          return ok_json(json::object{{"id", *id}, {"status", approve ? "approved" : "rejected"}});
        })));
  }
  router_.add("POST", "/api/v1/approvals/{id}/execute",
              authed([this](const HttpRequest&, const PathParams& p,
                            const Caller& c) -> Result<HttpResponse> {
                auto id = id_param(p);
                if (!id) return fail(id.error());
                MINATO_TRY(rt_.access().execute(c.actor, *id));
                return ok_json(json::object{{"id", *id}, {"status", "executed"}});
              }));

  // --- vendor maintenance windows (G1.3, A1.5.2) -------------------------------------------
  router_.add("GET", "/api/v1/maintenance-windows",
              authed([this](const HttpRequest&, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                bool staff = c.actor.has(access::Permission::kUserAdmin) ||
                             c.actor.has(access::Permission::kApprove) ||
                             c.actor.has(access::Permission::kAuditRead);
                auto all =
                    rt_.access().maintenance_windows(c.actor, staff ? "" : c.session.username);
                if (!all) return fail(all.error());
                json::array arr;
                for (const auto& w : *all) arr.push_back(window_json(w));
                return ok_json(json::object{{"maintenance_windows", std::move(arr)}});
              }));
  router_.add("POST", "/api/v1/maintenance-windows/{id}/stop",
              authed(with_body([this](JsonBody& b, const PathParams& p,
                                      const Caller& c) -> Result<HttpResponse> {
                auto id = id_param(p);
                if (!id) return fail(id.error());
                auto reason = b.string("reason", 200);
                if (!reason) return fail(reason.error());
                MINATO_TRY(b.finish());
                MINATO_TRY(rt_.access().stop_maintenance(c.actor, *id, *reason));
                return ok_json(json::object{{"id", *id}, {"stopped", true}});
              })));

  // --- access review (G2.1.1-i) ------------------------------------------------------------
  router_.add("GET", "/api/v1/access-review",
              authed([this](const HttpRequest&, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                auto r = rt_.access().access_report(c.actor);
                if (!r) return fail(r.error());
                MINATO_TRY(rt_.audit().record_access(c.actor, "access review", "access-review"));
                json::object body = json::parse(r->canonical).as_object();
                // Beside the signed content: creation and last use of each account.
                auto& accounts = body["accounts"].as_array();
                for (size_t i = 0; i < accounts.size() && i < r->accounts.size(); ++i) {
                  const auto& u = r->accounts[i].user;
                  accounts[i].as_object()["created"] = format_utc(u.created_us);
                  accounts[i].as_object()["last_login"] = time_or_empty(u.last_login_us);
                }
                body["generated_at"] = format_utc(r->generated_us);
                body["digest"] = r->digest;
                return ok_json(body);
              }));
  router_.add("POST", "/api/v1/access-review/sign-off",
              authed(with_body(
                  [this](JsonBody& b, const PathParams&, const Caller& c) -> Result<HttpResponse> {
                    auto digest = b.string("digest", 64);
                    if (!digest) return fail(digest.error());
                    auto note = b.string("note", 500);
                    if (!note) return fail(note.error());
                    MINATO_TRY(b.finish());
                    auto id = rt_.access().sign_off(c.actor, *digest, *note);
                    if (!id) return fail(id.error());
                    return ok_json(json::object{{"id", *id}, {"digest", *digest}}, 201);
                  })));
  router_.add("GET", "/api/v1/access-review/sign-offs",
              authed([this](const HttpRequest&, const PathParams&,
                            const Caller& c) -> Result<HttpResponse> {
                auto all = rt_.access().sign_offs(c.actor);
                if (!all) return fail(all.error());
                json::array arr;
                for (const auto& r : *all) {
                  arr.push_back(json::object{{"id", r.id},
                                             {"at", format_utc(r.at_us)},
                                             {"reviewer", r.reviewer},
                                             {"digest", r.digest},
                                             {"accounts", r.accounts},
                                             {"note", r.note}});
                }
                return ok_json(json::object{{"sign_offs", std::move(arr)}});
              }));

  add_audit_routes();
  add_backup_routes();
  add_source_routes();
  add_incident_routes();
  add_asset_routes();
  add_software_routes();
  add_vuln_routes();
  add_config_routes();
  add_compliance_routes();

  // --- security notifications (G2.1.1-f): what was sent, what waits, what failed ----------
  router_.add(
      "GET", "/api/v1/notifications",
      authed(
          [this](const HttpRequest&, const PathParams&, const Caller& c) -> Result<HttpResponse> {
            if (!c.actor.has(access::Permission::kAuditRead)) {
              return fail(ErrorCode::kPermissionDenied, "reading notifications needs audit.read");
            }
            MINATO_TRY(rt_.audit().record_access(c.actor, "notifications", "notifications"));
            auto rx = rt_.store().read();
            if (!rx) return fail(rx.error());
            auto all = (*rx)->recent_notifications(100);
            if (!all) return fail(all.error());
            json::array arr;
            for (const auto& n : *all) {
              std::string state = n.sent_us != 0 ? "sent" : n.abandoned ? "abandoned" : "queued";
              arr.push_back(json::object{{"id", n.id},
                                         {"channel", n.channel},
                                         {"event", n.event},
                                         {"subject", n.subject},
                                         {"recipients", n.recipients},
                                         {"created", format_utc(n.created_us)},
                                         {"state", state},
                                         {"attempts", n.attempts},
                                         {"sent_at", time_or_empty(n.sent_us)},
                                         {"last_error", n.last_error}});
            }
            return ok_json(json::object{{"notifications", std::move(arr)}});
          }));

  add_terminal_routes();
  add_gate_routes();
  add_edi_routes();
  add_yard_routes();
  add_live_routes();
}

HttpResponse Api::handle(const HttpRequest& req) const {
  // G2.7.3-a: every request gets an id, recorded in its audit events and returned to the
  // client, so a complaint ("my gate-in at 10:02 failed") finds its events.
  ScopedRequest scope({crypto::random_token(12), ""});
  auto started = std::chrono::steady_clock::now();
  auto console = console_response(req);
  HttpResponse res = console ? std::move(*console) : router_.dispatch(req);
  res.headers.emplace_back("X-Request-Id", current_request().request_id);
  latency_->observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  by_class_[static_cast<size_t>(std::clamp(res.status / 100, 1, 5) - 1)]->add();
  // A1.4.2, G2.7.3-a: a request the API could not read (malformed JSON or parameters, a body
  // that is not JSON: what injection scanners send) is counted per source like the listener's
  // refusals, so that a scan shows in the audit log and raises the threshold alert.
  if (res.status == 400 || res.status == 415) rt_.refusal_log().count(req.source, "bad_request");
  return res;
}

HttpResponse handle_management(app::Runtime& rt, const HttpRequest& req) {
  HttpResponse res;
  res.content_type = "application/json";
  if (req.method != "GET" && req.method != "HEAD") {
    res.status = 405;
    res.body = R"({"error":"method_not_allowed"})";
    return res;
  }
  if (req.path == "/metrics") {
    res.content_type = "text/plain; version=0.0.4; charset=utf-8";
    res.body = rt.metrics().render();
    return res;
  }
  if (req.path == "/healthz") {
    res.body = R"({"status":"ok"})";
    return res;
  }
  if (req.path == "/readyz") {
    json::array problems;
    auto rx = rt.store().read();
    if (!rx) {
      problems.emplace_back("database: " + rx.error().message());
    } else if (auto head = (*rx)->audit_head(); !head) {
      problems.emplace_back("database: " + head.error().message());
    }
    rx = fail(ErrorCode::kInternal, "closed");
    auto w = rt.writes().stats();
    if (w.queued > 5'000) {
      problems.emplace_back("write path: " + std::to_string(w.queued) + " commands waiting");
    }
    bool ready = problems.empty();
    res.status = ready ? 200 : 503;
    res.body = json::serialize(
        json::object{{"status", ready ? "ready" : "not_ready"}, {"problems", std::move(problems)}});
    return res;
  }
  res.status = 404;
  res.body =
      R"({"error":"not_found","message":"the management listener serves /metrics, /healthz and /readyz"})";
  return res;
}

}  // namespace minato::api
