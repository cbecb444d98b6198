// The backup vault's listener (G2.7.2-d): what `minato vault` pulls from the live server, over
// mutual TLS with pinned vault certificates (net/https_server: ServerOptions::client_cert_sha256).
//
//   GET /vault/v1/sets                      {"sets":[{"set","target","stored_bytes"}]}
//   GET /vault/v1/sets/<id>/manifest        manifest.json as written
//   GET /vault/v1/sets/<id>/signature       manifest.sig
//   GET /vault/v1/sets/<id>/chunks/<n>      the n-th stored chunk of payload.bin
//   GET /vault/v1/report?keep=...          what the vault keeps, for the G2.7.2-c check
//   GET /vault/v1/recovery/<data|keys>      a recovery file (sealed: useless without its
//                                           passphrase)
//
// Reads only. There is no method here, or anywhere in Minato's API, that deletes or replaces
// what a vault holds: the vault decides that alone. Every manifest fetched is audited with the
// vault certificate's fingerprint.
#include <boost/json.hpp>
#include <cstdlib>

#include "api/handlers.h"
#include "api/json.h"
#include "app/runtime.h"
#include "common/files.h"

namespace minato::api {

namespace json = boost::json;

namespace {

HttpResponse not_found(const std::string& what) {
  return error_response(Error(ErrorCode::kNotFound, what));
}

HttpResponse bytes(std::string body, const char* type) {
  HttpResponse res;
  res.content_type = type;
  res.body = std::move(body);
  return res;
}

}  // namespace

// GET /vault/v1/report?keep=L.H.D.W.M&database=N.OLDEST_US&config=...: what the vault keeps
// after a pull (its retention policy; per target the sets it holds and the oldest one's time),
// recorded as backup.vault.report for the compliance check of G2.7.2-c — when it changed, or
// at most once an hour otherwise. It changes nothing the vault holds.
HttpResponse vault_report(app::Runtime& rt, const HttpRequest& req) {
  auto number = [](std::string_view t, int64_t max, int64_t* out) {
    if (t.empty() || t.size() > 18 || t.find_first_not_of("0123456789") != std::string_view::npos) {
      return false;
    }
    *out = std::strtoll(std::string(t).c_str(), nullptr, 10);
    return *out <= max;
  };
  json::object keep, targets;
  std::string_view q = req.query;
  while (!q.empty()) {
    const size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos) return not_found("bad vault report");
    std::string_view key = pair.substr(0, eq), value = pair.substr(eq + 1);
    std::vector<int64_t> parts;
    for (size_t pos = 0; pos <= value.size();) {
      size_t dot = value.find('.', pos);
      if (dot == std::string_view::npos) dot = value.size();
      int64_t n = 0;
      if (!number(value.substr(pos, dot - pos), int64_t{1} << 53, &n)) {
        return not_found("bad vault report");
      }
      parts.push_back(n);
      pos = dot + 1;
    }
    if (key == "keep" && parts.size() == 5) {
      const char* names[] = {"last", "hourly", "daily", "weekly", "monthly"};
      for (size_t i = 0; i < 5; ++i) keep[names[i]] = parts[i];
    } else if (parts.size() == 2 &&
               std::find(app::kBackupTargets.begin(), app::kBackupTargets.end(), key) !=
                   app::kBackupTargets.end()) {
      targets[key] = json::object{{"sets", parts[0]}, {"oldest_us", parts[1]}};
    } else {
      return not_found("bad vault report");
    }
  }
  if (keep.empty()) return not_found("bad vault report");
  const std::string change = json::serialize(
      json::object{{"keep", keep}, {"targets", targets}, {"client_cert", req.client_cert}});
  auto recorded = rt.backup().record_vault_report(
      access::Actor{"vault:" + req.client_cert.substr(0, 16), req.source, 0}, change);
  if (!recorded) return error_response(recorded.error());
  HttpResponse res;
  res.status = 204;
  return res;
}

HttpResponse handle_vault(app::Runtime& rt, const HttpRequest& req) {
  if (req.method != "GET") {
    HttpResponse res = error_response(Error(
        ErrorCode::kPermissionDenied,
        "the vault listener only serves reads: nothing here can delete or overwrite a backup"));
    res.status = 405;
    res.headers.emplace_back("Allow", "GET");
    return res;
  }
  auto& backup = rt.backup();
  const std::string outbox = backup.outbox();
  const std::string_view p = req.path;
  if (p == "/vault/v1/sets") {
    json::array sets;
    for (const auto& id : backup.list_sets()) {
      sets.push_back(json::object{{"set", id}, {"target", resilience::set_target(id)}});
    }
    return bytes(json::serialize(json::object{{"sets", std::move(sets)}}), "application/json");
  }
  if (p == "/vault/v1/report") return vault_report(rt, req);
  constexpr std::string_view kRecovery = "/vault/v1/recovery/";
  if (p.substr(0, kRecovery.size()) == kRecovery) {
    std::string name(p.substr(kRecovery.size()));
    if (name != "data" && name != "keys") return not_found("no recovery file " + name);
    auto text = read_file(app::BackupService::recovery_path(rt.paths().keys(), name), 1 << 16);
    if (!text) return not_found("backups are not set up");
    return bytes(std::move(*text), "application/json");
  }
  constexpr std::string_view kSets = "/vault/v1/sets/";
  if (p.substr(0, kSets.size()) != kSets) return not_found("no such vault resource");
  std::string_view rest = p.substr(kSets.size());
  auto slash = rest.find('/');
  if (slash == std::string_view::npos) return not_found("no such vault resource");
  std::string id(rest.substr(0, slash));
  std::string_view what = rest.substr(slash + 1);
  if (!resilience::valid_set_id(id)) return not_found("no set " + id.substr(0, 64));
  const std::string dir = outbox + "/" + id;
  if (what == "manifest") {
    auto m = read_file(dir + "/" + std::string(resilience::kManifestFile), 64u << 20);
    if (!m) return not_found("no set " + id);
    // Every fetch of a set is on record; a fetch that cannot be recorded is not served.
    const std::string subject = "vault:" + req.client_cert.substr(0, 16);
    auto recorded = rt.writes().execute_status(
        access::Actor{subject, req.source, 0},
        {"backup.vault.fetch", "backup:" + id, access::Permission::kNone},
        [&](store::WriteTxn&, app::Effects& fx) -> Status {
          fx.change = json::serialize(json::object{{"client_cert", req.client_cert}});
          return ok();
        });
    if (!recorded) return error_response(recorded.error());
    return bytes(std::move(*m), "application/json");
  }
  if (what == "signature") {
    auto s = read_file(dir + "/" + std::string(resilience::kSignatureFile), 4096);
    if (!s) return not_found("no set " + id);
    return bytes(std::move(*s), "application/json");
  }
  constexpr std::string_view kChunks = "chunks/";
  if (what.substr(0, kChunks.size()) == kChunks) {
    std::string n(what.substr(kChunks.size()));
    if (n.empty() || n.size() > 9 || n.find_first_not_of("0123456789") != std::string::npos) {
      return not_found("bad chunk number");
    }
    auto text = read_file(dir + "/" + std::string(resilience::kManifestFile), 64u << 20);
    if (!text) return not_found("no set " + id);
    auto m = resilience::parse_manifest(*text, id);
    if (!m) return error_response(m.error());
    auto chunk = resilience::read_chunk(dir, *m, std::strtoul(n.c_str(), nullptr, 10));
    if (!chunk) return error_response(chunk.error());
    return bytes(std::move(*chunk), "application/octet-stream");
  }
  return not_found("no such vault resource");
}

}  // namespace minato::api
