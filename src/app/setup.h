// Setting up a new installation: `minato init` and `minato demo` both call initialise().
// G2.1.1-g, G2.2.2-a: no default account or password exists anywhere; the first administrator
// is enrolled here with a password that meets the policy and a TOTP secret.
#pragma once

#include <string>

#include "app/identity_service.h"
#include "common/result.h"

namespace minato::app {

struct InitSpec {
  std::string data_dir;
  std::string admin_user;
  std::string admin_password;
  std::string tls_cert_file;  // empty: generate a self-signed certificate
  std::string tls_key_file;
  std::string listen;  // empty: default
};

struct InitResult {
  CreatedUser admin;
  std::string cert_sha256;  // fingerprint of the TLS certificate (SHA-256 of the PEM)
};

// Creates a new data directory (refusing an existing one) with keys, certificate,
// configuration, database and the first administrator. Everything is checked before anything
// is written, and built in a sibling directory renamed into place: nothing is left behind on
// failure.
Result<InitResult> initialise(const InitSpec& spec);

}  // namespace minato::app
