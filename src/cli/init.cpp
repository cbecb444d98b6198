// `minato init`: a new data directory with keys, TLS certificate, configuration, database and
// the first administrator — enrolled with a password that meets the policy and a TOTP secret.
// G2.1.1-g, G2.2.2-a: no default account or password exists anywhere; the administrator is
// created here, by the installer, with MFA.
#include <termios.h>
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <cstdio>
#include <iostream>

#include "cli/cli.h"

namespace minato::cli {

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

}  // namespace

void add_init(CLI::App& app) {
  auto* cmd = app.add_subcommand("init", "Create a new data directory and the first administrator");
  struct Opts {
    app::InitSpec spec;
    std::string password_file;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--data", o->spec.data_dir, "Data directory to create (must not exist)")
      ->required();
  cmd->add_option("--admin-user", o->spec.admin_user, "User name of the first administrator")
      ->required();
  cmd->add_option("--admin-password-file", o->password_file,
                  "File holding the administrator's password (else asked at the terminal)");
  cmd->add_option("--tls-cert", o->spec.tls_cert_file, "PEM certificate (chain) to serve");
  cmd->add_option("--tls-key", o->spec.tls_key_file, "PEM private key of --tls-cert");
  add_listen_options(cmd, &o->spec.listen, "in minato.toml");
  cmd->add_option("--origin", o->spec.origin,
                  "The console's origin, webauthn.origin (default https://localhost on the "
                  "--listen port), e.g. https://tos.example.jp");
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
    auto r = app::initialise(o->spec);
    if (!r) throw CLI::RuntimeError(report(r.error()));
    if (o->json) {
      std::printf("%s\n",
                  json::serialize(json::object{{"data_dir", o->spec.data_dir},
                                               {"admin_user", r->admin.username},
                                               {"totp_secret", r->admin.totp_secret_base32},
                                               {"otpauth_uri", r->admin.otpauth_uri},
                                               {"tls_cert_sha256", r->cert_sha256},
                                               {"listen", r->config.listen},
                                               {"management_listen", r->config.management_listen},
                                               {"vault_listen", r->config.backup_vault_listen},
                                               {"webauthn_origin", r->config.webauthn_origin}})
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
    std::printf(
        "Listeners (minato.toml): API and console %s (server.listen), management %s\n"
        "  (server.management_listen), backup vault %s (backup.vault_listen); console origin\n"
        "  %s (webauthn.origin)\n",
        r->config.listen.c_str(), r->config.management_listen.c_str(),
        r->config.backup_vault_listen.c_str(), r->config.webauthn_origin.c_str());
    std::printf("Start the server with: minato serve --data %s\n", o->spec.data_dir.c_str());
  });
}

}  // namespace minato::cli
