// `minato init`: a new data directory with keys, TLS certificate, configuration, database and
// the first administrator — enrolled with a password that meets the policy and a TOTP secret.
// G2.1.1-g, G2.2.2-a: no default account or password exists anywhere; the administrator is
// created here, by the installer, with MFA.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "app/identity_service.h"
#include "cli/cli.h"
#include "common/files.h"
#include "crypto/keys.h"
#include "crypto/random.h"
#include "crypto/tls_cert.h"
#include "identity/password_policy.h"
#include "store/sqlite/sqlite_store.h"

namespace minato::cli {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

Result<std::string> prompt_secret(const std::string& prompt) {
  if (::isatty(STDIN_FILENO) == 0) {
    return fail(ErrorCode::kInvalidArgument,
                "no terminal to ask for the password; use --admin-password-file");
  }
  std::fprintf(stderr, "%s", prompt.c_str());
  termios old{};
  tcgetattr(STDIN_FILENO, &old);
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::string line;
  std::getline(std::cin, line);
  tcsetattr(STDIN_FILENO, TCSANOW, &old);
  std::fprintf(stderr, "\n");
  return line;
}

std::string fingerprint(const std::string& pem) {
  return crypto::to_hex(crypto::sha256(pem));
}

Status populate(const std::string& dir, const InitSpec& spec, InitResult* out) {
  app::DataPaths paths{dir};
  MINATO_TRY(make_dir(paths.keys(), 0700, true));
  MINATO_TRY(make_dir(paths.tls(), 0700, true));

  config::Config cfg;
  if (!spec.listen.empty()) cfg.listen = spec.listen;
  MINATO_TRY(write_file_atomic(paths.config(), config::to_toml(cfg), 0600));

  MINATO_TRY(crypto::SealingKey::generate().save(paths.sealing_key()));
  MINATO_TRY(crypto::SigningKey::generate().save(paths.signing_key()));

  std::string cert_pem, key_pem;
  if (!spec.tls_cert_file.empty()) {
    auto c = read_file(spec.tls_cert_file, 1 << 20);
    if (!c) return fail(c.error());
    auto k = read_file(spec.tls_key_file, 1 << 20);
    if (!k) return fail(k.error());
    MINATO_TRY(crypto::check_cert_and_key(*c, *k));
    cert_pem = std::move(*c);
    key_pem = std::move(*k);
  } else {
    auto made = crypto::make_self_signed_cert("localhost", {"localhost"}, {"127.0.0.1", "::1"});
    if (!made) return fail(made.error());
    cert_pem = std::move(made->cert_pem);
    key_pem = std::move(made->key_pem);
  }
  MINATO_TRY(write_file_atomic(paths.resolve(cfg.tls_cert), cert_pem, 0600));
  MINATO_TRY(write_file_atomic(paths.resolve(cfg.tls_key), key_pem, 0600));
  out->cert_sha256 = fingerprint(cert_pem);

  // The database is created by opening it; the runtime then enrols the administrator through
  // the write path like any other command (so the enrolment is the first audit event).
  {
    store::SqliteOptions opts;
    opts.create = true;
    opts.read_connections = 0;
    auto db = store::SqliteStore::open(paths.database(), opts);
    if (!db) return fail(db.error());
  }
  ::chmod(paths.database().c_str(), 0600);
  auto rt = app::Runtime::open(dir);
  if (!rt) return fail(rt.error());
  auto admin = (*rt)->identity().create_user(access::Actor::local_operator(),
                                             {spec.admin_user, spec.admin_password,
                                              {"security_admin"}});
  if (!admin) return fail(admin.error());
  out->admin = std::move(*admin);
  return ok();
}

}  // namespace

Result<InitResult> initialise(const InitSpec& spec) {
  MINATO_TRY(crypto::init());
  if (spec.data_dir.empty()) {
    return fail(ErrorCode::kInvalidArgument, "--data is required", "data");
  }
  std::error_code ec;
  if (fs::exists(spec.data_dir, ec)) {
    return fail(ErrorCode::kAlreadyExists, "data directory " + spec.data_dir +
                                               " already exists; init never touches an existing "
                                               "directory");
  }
  // Check everything that can be checked before anything is written.
  MINATO_TRY(app::check_username(spec.admin_user));
  MINATO_TRY(identity::check_password({}, spec.admin_user, spec.admin_password));
  if (spec.tls_cert_file.empty() != spec.tls_key_file.empty()) {
    return fail(ErrorCode::kInvalidArgument, "--tls-cert and --tls-key go together");
  }
  if (!spec.listen.empty()) {
    std::string host;
    uint16_t port = 0;
    MINATO_TRY(config::split_listen(spec.listen, &host, &port));
  }

  // Build in a sibling directory and rename it into place: all or nothing.
  fs::path target = fs::absolute(spec.data_dir, ec);
  std::string tmp = target.string() + ".init-" + crypto::random_token(6);
  MINATO_TRY(make_dir(tmp, 0700, true));
  InitResult result;
  Status st = populate(tmp, spec, &result);
  if (st && ::rename(tmp.c_str(), target.c_str()) != 0) {
    st = fail(ErrorCode::kUnavailable, "cannot move the new data directory into place at " +
                                           target.string());
  }
  if (!st) {
    fs::remove_all(tmp, ec);
    return fail(st.error());
  }
  return result;
}

void add_init(CLI::App& app) {
  auto* cmd = app.add_subcommand("init", "Create a new data directory and the first administrator");
  struct Opts {
    InitSpec spec;
    std::string password_file;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--data", o->spec.data_dir, "Data directory to create (must not exist)")->required();
  cmd->add_option("--admin-user", o->spec.admin_user, "User name of the first administrator")
      ->required();
  cmd->add_option("--admin-password-file", o->password_file,
                  "File holding the administrator's password (else asked at the terminal)");
  cmd->add_option("--tls-cert", o->spec.tls_cert_file, "PEM certificate (chain) to serve");
  cmd->add_option("--tls-key", o->spec.tls_key_file, "PEM private key of --tls-cert");
  cmd->add_option("--listen", o->spec.listen, "Address to serve on, HOST:PORT (default 127.0.0.1:8443)");
  cmd->add_flag("--json", o->json, "Print the result as JSON");
  cmd->callback([o] {
    if (!o->password_file.empty()) {
      auto pw = read_secret_file(o->password_file);
      if (!pw) throw CLI::RuntimeError(report(pw.error()));
      o->spec.admin_password = *pw;
    } else {
      auto pw = prompt_secret("Password for " + o->spec.admin_user + ": ");
      if (!pw) throw CLI::RuntimeError(report(pw.error()));
      auto again = prompt_secret("Again: ");
      if (!again) throw CLI::RuntimeError(report(again.error()));
      if (*pw != *again) {
        throw CLI::RuntimeError(report(Error(ErrorCode::kInvalidArgument, "the passwords differ")));
      }
      o->spec.admin_password = *pw;
    }
    auto r = initialise(o->spec);
    if (!r) throw CLI::RuntimeError(report(r.error()));
    if (o->json) {
      std::printf("%s\n", json::serialize(json::object{
                              {"data_dir", o->spec.data_dir},
                              {"admin_user", r->admin.username},
                              {"totp_secret", r->admin.totp_secret_base32},
                              {"otpauth_uri", r->admin.otpauth_uri},
                              {"tls_cert_sha256", r->cert_sha256}})
                              .c_str());
      return;
    }
    std::printf("Created %s\n\n", o->spec.data_dir.c_str());
    std::printf("Administrator: %s\n", r->admin.username.c_str());
    std::printf("Add this TOTP secret to an authenticator app now; it is not shown again:\n\n");
    std::printf("%s\n", qr_for_terminal(r->admin.otpauth_uri).c_str());
    std::printf("  %s\n  secret: %s\n\n", r->admin.otpauth_uri.c_str(),
                r->admin.totp_secret_base32.c_str());
    std::printf("TLS certificate SHA-256 (PEM): %s\n", r->cert_sha256.c_str());
    std::printf("Start the server with: minato serve --data %s\n", o->spec.data_dir.c_str());
  });
}

}  // namespace minato::cli
