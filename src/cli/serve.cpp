// `minato serve`: the HTTPS API over an initialised data directory.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <thread>

#include "api/handlers.h"
#include "app/jobs.h"
#include "cli/cli.h"
#include "common/dir_lock.h"
#include "net/https_server.h"

namespace minato::cli {

namespace {

// An IPv6 address in brackets, for a URL.
std::string shown(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

// A small TLS listener beside the API (management, the backup vault): the API's certificate,
// one I/O thread, two workers, and only the sources in `allow_sources`, refused before TLS.
Result<net::ServerOptions> side_listener(const net::ServerOptions& api, const std::string& listen,
                                         const std::string& allow_sources, int max_connections,
                                         int per_source) {
  net::ServerOptions o;
  MINATO_TRY(config::split_listen(listen, &o.host, &o.port));
  o.cert_pem_path = api.cert_pem_path;
  o.key_pem_path = api.key_pem_path;
  o.max_connections = max_connections;
  o.max_connections_per_source = per_source;
  o.io_threads = 1;
  o.worker_threads = 2;
  o.slow_worker_threads = 1;
  auto rules = identity::SourceRules::parse(allow_sources);
  if (!rules) return fail(rules.error());
  o.admit_source = [rules = std::move(*rules)](const std::string& source) {
    return rules.allows(source);
  };
  return o;
}

}  // namespace

void add_listen_options(CLI::App* cmd, config::Listeners* o, const std::string& effect) {
  cmd->add_option("--listen", o->api,
                  "HOST:PORT of the API and console: server.listen " + effect +
                      " (default 127.0.0.1:8443; HOST:0 picks a free port at each start)");
  cmd->add_option("--management-listen", o->management,
                  "HOST:PORT of /metrics, /healthz and /readyz: server.management_listen " +
                      effect + " (default 127.0.0.1:9443)");
  cmd->add_option("--vault-listen", o->vault,
                  "HOST:PORT the backup vault pulls from: backup.vault_listen " + effect +
                      " (default 127.0.0.1:9444; served only when backup.vault_clients is set)");
}

namespace {

// Binds `server` as `setting` says; a failure names the setting and the flag that change it.
Result<std::unique_ptr<net::HttpsServer>> listener(const net::ServerOptions& options,
                                                   net::Handler handler, const char* setting,
                                                   const char* flag) {
  auto s = net::HttpsServer::create(options, std::move(handler));
  if (!s) {
    return fail(s.error().code(),
                s.error().message() + " (" + setting + " in minato.toml, or " + flag + ")");
  }
  return s;
}

}  // namespace

Status serve(app::Runtime& rt, const config::Listeners& listen) {
  // One server per data directory; export and decommission wait for it to stop.
  auto lock = DirLock::acquire(rt.paths().dir, "serve it");
  if (!lock) return fail(lock.error());
  // Configuration control: the file as read now is recorded (a setup edit, an edit, a held
  // file), and the first start begins control — from then on a change of a security setting
  // takes effect only once a second person has approved it. G2.3-c: the keys as they are now.
  MINATO_TRY(rt.config_control().record_running());
  MINATO_TRY(rt.config_control().start_serving());
  if (auto k = rt.keys().reconcile(); !k) return fail(k.error());
  auto& cfg = rt.mutable_config();
  // The console's origin moves with its listener, to the port bound when HOST:0 asked the
  // system for one (WebAuthn and the enrolment address name it).
  const bool origin_follows = config::origin_on_listener(cfg);
  MINATO_TRY(config::apply_listeners(cfg, listen));
  net::ServerOptions so;
  MINATO_TRY(config::split_listen(cfg.listen, &so.host, &so.port));
  so.cert_pem_path = rt.paths().resolve(cfg.tls_cert);
  so.key_pem_path = rt.paths().resolve(cfg.tls_key);
  so.max_connections = cfg.max_connections;
  so.max_connections_per_source = cfg.max_connections_per_source;
  so.header_limit_bytes = cfg.header_limit_bytes;
  so.body_limit_bytes = cfg.body_limit_bytes;
  so.handshake_timeout_s = cfg.handshake_timeout_s;
  so.request_timeout_s = cfg.request_timeout_s;
  so.keepalive_timeout_s = cfg.keepalive_timeout_s;
  so.worker_threads = cfg.worker_threads;
  // Logins (and the other requests that wait for Argon2id) get their own threads: a login
  // flood then cannot occupy the workers that serve the terminal (issue 3, login flood).
  // As many as can wait for the login pool (running + queued): beyond that the pool answers
  // 429 at once instead of letting requests queue unseen.
  so.slow_worker_threads = std::min(64, cfg.login_threads + cfg.login_queue);
  so.on_shed = [&rt](const std::string& source) { rt.shed_log().count(source); };
  so.on_refused = [&rt](const std::string& source, std::string_view kind) {
    rt.refusal_log().count(source, kind);
  };
  so.is_slow = [](const api::HttpRequest& req) {
    return req.method == "POST" &&
           (req.path == "/api/v1/session" || req.path == "/api/v1/enrolment" ||
            req.path == "/api/v1/session/password");
  };
  // The terminal's commonest requests, single lookups from a read snapshot, are answered on the
  // I/O thread (a lookup takes tens of microseconds; handing it to a worker and back cost
  // about as much again in thread switches: issue 5, mixed load). Lists, exports and anything
  // that writes stay on the workers.
  so.is_inline = [](const api::HttpRequest& req) {
    if (req.method != "GET") return false;
    auto one_segment_after = [&](std::string_view prefix) {
      return req.path.size() > prefix.size() && req.path.compare(0, prefix.size(), prefix) == 0 &&
             req.path.find('/', prefix.size()) == std::string::npos;
    };
    return one_segment_after("/api/v1/units/") || req.path == "/api/v1/yard/occupancy" ||
           one_segment_after("/api/v1/vessel-visits/") || one_segment_after("/api/v1/bookings/");
  };
  // Uploads through the media intake — EDI (a bay plan of a large vessel is several MB),
  // inventories, software lists (a CycloneDX file of a server), advisory feeds — may be as large as
  // the intake takes (intake.max_mb); every other body stays within server.body_limit_bytes.
  so.body_limit_for = [max = int64_t{cfg.intake_max_mb} << 20](std::string_view method,
                                                               std::string_view target) {
    std::string_view path = target.substr(0, target.find('?'));
    const bool software = path.starts_with("/api/v1/assets/") && path.ends_with("/software") &&
                          path.find('/', 15) == path.size() - 9;
    return method == "POST" &&
                   (path == "/api/v1/edi/imports" || path == "/api/v1/edi/inspections" ||
                    path == "/api/v1/asset-imports" || path == "/api/v1/vulnerability-feeds" ||
                    software)
               ? max
               : int64_t{0};
  };
  so.upload_limit_bytes = int64_t{cfg.intake_max_mb} << 20;
  // G2.1.1-a: only listed sources; G2.2.2-f: not a source blocked for repeated login
  // failures. Both are decided before any TLS work.
  auto allowed = identity::SourceRules::parse(cfg.allow_sources);
  if (!allowed) return fail(allowed.error());
  so.admit_source = [&rt, rules = std::move(*allowed)](const std::string& source) {
    // G3.1-c: while an incident narrows the listener, only break-glass sources.
    return rules.allows(source) && !rt.source_guard().blocked(source) &&
           rt.containment().admits(source);
  };

  api::Api api(rt);
  auto server = listener(
      so, [&api](const api::HttpRequest& req) { return api.handle(req); }, "server.listen",
      "--listen");
  if (!server) return fail(server.error());
  if (origin_follows) config::set_origin_port(cfg, (*server)->port());
  rt.set_console_origin(cfg.webauthn_origin);
  // G2.7.3-b: ship the audit log off-system.
  MINATO_TRY(rt.start_shipping());
  // G2.7.2-d: the listener the backup vault pulls from — mutual TLS with the pinned vault
  // certificates only, reads only. Without a vault certificate there is nobody to serve.
  std::unique_ptr<net::HttpsServer> vault;
  std::thread vault_thread;
  auto vault_clients = config::split_fingerprints(cfg.backup_vault_clients);
  if (!vault_clients) return fail(vault_clients.error());
  if (!cfg.backup_vault_listen.empty() && !vault_clients->empty()) {
    auto vo = side_listener(so, cfg.backup_vault_listen, cfg.backup_vault_allow_sources, 16, 8);
    if (!vo) return fail(vo.error());
    vo->request_timeout_s = 60;
    vo->client_cert_sha256 = *vault_clients;
    auto v = listener(
        *vo, [&rt](const api::HttpRequest& req) { return api::handle_vault(rt, req); },
        "backup.vault_listen", "--vault-listen");
    if (!v) return fail(v.error());
    vault = std::move(*v);
    std::fprintf(stderr,
                 "minato: backup vault listener on https://%s:%u (mutual TLS, %zu vault%s)\n",
                 shown(vo->host).c_str(), static_cast<unsigned>(vault->port()),
                 vault_clients->size(), vault_clients->size() == 1 ? "" : "s");
  }
  // G2.6.1-d: the management listener (/metrics, /healthz, /readyz), TLS too, for the
  // monitoring hosts in server.management_allow_sources only.
  std::unique_ptr<net::HttpsServer> management;
  std::thread management_thread;
  if (!cfg.management_listen.empty()) {
    auto mo = side_listener(so, cfg.management_listen, cfg.management_allow_sources, 64, 16);
    if (!mo) return fail(mo.error());
    auto m = listener(
        *mo, [&rt](const api::HttpRequest& req) { return api::handle_management(rt, req); },
        "server.management_listen", "--management-listen");
    if (!m) return fail(m.error());
    management = std::move(*m);
    std::fprintf(stderr, "minato: management on https://%s:%u (/metrics /healthz /readyz)\n",
                 shown(mo->host).c_str(), static_cast<unsigned>(management->port()));
    management_thread = std::thread([&management] {
      if (auto st = management->run(); !st) {
        std::fprintf(stderr, "minato: management listener: %s\n", st.error().message().c_str());
      }
    });
  }
  if (vault) {
    vault_thread = std::thread([&vault] {
      if (auto st = vault->run(); !st) {
        std::fprintf(stderr, "minato: vault listener: %s\n", st.error().message().c_str());
      }
    });
  }
  std::string shown_host = shown(so.host);
  // The operator console is served at the origin users reach (webauthn.origin).
  std::fprintf(stderr, "minato: console %s/ (open it in a browser; webauthn.origin)\n",
               cfg.webauthn_origin.c_str());
  // Tests and scripts read this line to learn the port (with --listen HOST:0): every line
  // about the listeners comes before it.
  std::fprintf(stderr, "minato: listening on https://%s:%u\n", shown_host.c_str(),
               static_cast<unsigned>((*server)->port()));
  std::fflush(stderr);
  if (cfg.syslog_target.empty()) {
    std::fprintf(stderr,
                 "minato: warning: audit.syslog_target is not set; the audit log is not shipped "
                 "off-system (G2.7.3-b)\n");
  }
  if (cfg.smtp_url.empty()) {
    std::fprintf(stderr,
                 "minato: warning: notify.smtp_url is not set; security alerts are queued but not "
                 "mailed (G2.1.1-f)\n");
  }
  if (!rt.backup().configured()) {
    std::fprintf(stderr,
                 "minato: warning: backups are not set up: run `minato backup init` (G2.7.2); "
                 "security staff are alerted once the first schedule has passed without one\n");
  }
  // Units stored where the yard's rules do not allow them (written by an older version) are
  // kept in the store but not in the yard model: a planner must move them.
  auto problems = rt.terminal().yard_problems();
  for (size_t i = 0; i < problems.size() && i < 20; ++i) {
    std::fprintf(stderr, "minato: warning: yard: %s\n", problems[i].c_str());
  }
  if (problems.size() > 20) {
    std::fprintf(stderr, "minato: warning: yard: %zu more problems\n", problems.size() - 20);
  }
  app::Jobs jobs(rt, std::chrono::seconds(std::min(60, cfg.heartbeat_seconds)));
  rt.notifier().start(std::chrono::seconds(1));
  Status served = (*server)->run();
  if (management) {
    management->stop();
    management_thread.join();
  }
  if (vault) {
    vault->stop();
    vault_thread.join();
  }
  MINATO_TRY(served);
  rt.notifier().stop();
  jobs.stop();
  if (auto shed = rt.flush_shed_log(); !shed) return fail(shed.error());
  if (auto refused = rt.flush_refusal_log(); !refused) return fail(refused.error());
  rt.writes().shutdown();  // every accepted command is durable before we exit
  rt.stop_shipping(5000);  // and, if the collector is there, shipped with the last checkpoint
  auto stats = rt.writes().stats();
  std::fprintf(stderr, "minato: stopped (%llu commands in %llu transactions)\n",
               static_cast<unsigned long long>(stats.commands),
               static_cast<unsigned long long>(stats.transactions));
  return ok();
}

void add_serve(CLI::App& app) {
  auto* cmd = app.add_subcommand("serve", "Serve the HTTPS API and console");
  struct Opts {
    std::string data;
    config::Listeners listen;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--data", o->data, "Data directory (from `minato init`)")->required();
  add_listen_options(cmd, &o->listen, "for this run (minato.toml is not changed)");
  cmd->callback([o] {
    auto rt = app::Runtime::open(o->data);
    if (!rt) throw CLI::RuntimeError(report(rt.error()));
    auto st = serve(**rt, o->listen);
    if (!st) throw CLI::RuntimeError(report(st.error()));
  });
}

}  // namespace minato::cli
