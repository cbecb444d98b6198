#include "app/setup.h"

#include "app/runtime.h"

#include <sys/stat.h>

#include <filesystem>

#include "common/files.h"
#include "crypto/keys.h"
#include "crypto/random.h"
#include "crypto/tls_cert.h"
#include "identity/password_policy.h"
#include "store/sqlite/sqlite_store.h"

namespace minato::app {

namespace fs = std::filesystem;

namespace {

std::string fingerprint(const std::string& pem) { return crypto::to_hex(crypto::sha256(pem)); }

Status populate(const std::string& dir, const InitSpec& spec, InitResult* out) {
  DataPaths paths{dir};
  MINATO_TRY(make_dir(paths.keys(), 0700, true));
  MINATO_TRY(make_dir(paths.tls(), 0700, true));

  config::Config cfg;
  MINATO_TRY(config::apply_listeners(cfg, spec.listen));
  if (!spec.origin.empty()) cfg.webauthn_origin = spec.origin;
  MINATO_TRY(write_file_atomic(paths.config(), config::to_toml(cfg), 0600));
  out->config = cfg;

  MINATO_TRY(crypto::SealingKey::generate().save(paths.sealing_key()));
  MINATO_TRY(crypto::SigningKey::generate().save(paths.signing_key()));
  MINATO_TRY(crypto::SigningKey::generate().save(paths.audit_key()));

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
  auto rt = Runtime::open(dir);
  if (!rt) return fail(rt.error());
  auto admin = (*rt)->identity().create_user(
      access::Actor::local_operator(),
      {spec.admin_user, spec.admin_password, {"user_admin", "security_officer"}, ""});
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
  MINATO_TRY(check_username(spec.admin_user));
  MINATO_TRY(identity::check_password({}, spec.admin_user, spec.admin_password));
  if (spec.tls_cert_file.empty() != spec.tls_key_file.empty()) {
    return fail(ErrorCode::kInvalidArgument, "--tls-cert and --tls-key go together");
  }
  {
    config::Config cfg;
    MINATO_TRY(config::apply_listeners(cfg, spec.listen));
    if (!spec.origin.empty()) cfg.webauthn_origin = spec.origin;
    // The configuration init writes must load: checked as `serve` will read it.
    auto back = config::parse(config::to_toml(cfg), "--origin");
    if (!back) return fail(back.error());
  }

  // Build in a sibling directory and rename it into place: all or nothing.
  fs::path target = fs::absolute(spec.data_dir, ec);
  std::string tmp = target.string() + ".init-" + crypto::random_token(6);
  MINATO_TRY(make_dir(tmp, 0700, true));
  InitResult result;
  Status st = populate(tmp, spec, &result);
  if (st && ::rename(tmp.c_str(), target.c_str()) != 0) {
    st = fail(ErrorCode::kUnavailable,
              "cannot move the new data directory into place at " + target.string());
  }
  if (!st) {
    fs::remove_all(tmp, ec);
    return fail(st.error());
  }
  return result;
}

}  // namespace minato::app
