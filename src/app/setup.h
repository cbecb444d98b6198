// Setting up a new installation: `minato init` and `minato demo` both call initialise().
// G2.1.1-g, G2.2.2-a: no default account or password exists anywhere; the first administrator
// is enrolled here with a password that meets the policy and a TOTP secret.
#pragma once

#include <string>

#include "app/identity_service.h"
#include "common/result.h"
#include "config/config.h"

namespace minato::app {

struct InitSpec {
  InitSpec() = default;
  InitSpec(std::string dir, std::string user, std::string password)
      : data_dir(std::move(dir)),
        admin_user(std::move(user)),
        admin_password(std::move(password)) {}

  std::string data_dir;
  std::string admin_user;
  std::string admin_password;
  std::string tls_cert_file;  // empty: generate a self-signed certificate
  std::string tls_key_file;
  config::Listeners listen;  // empty: the defaults
  std::string origin;        // webauthn.origin; empty: https://localhost on --listen's port
};

struct InitResult {
  CreatedUser admin;
  std::string cert_sha256;  // fingerprint of the TLS certificate (SHA-256 of the PEM)
  config::Config config;    // as written to minato.toml
};

// Creates a new data directory (refusing an existing one) with keys, certificate,
// configuration, database and the first administrator. Everything is checked before anything
// is written, and built in a sibling directory renamed into place: nothing is left behind on
// failure.
Result<InitResult> initialise(const InitSpec& spec);

}  // namespace minato::app
