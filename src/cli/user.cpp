// `minato user add`: enrol a user at the server's console (the local operator holds the data
// directory). Goes through the same write path and audit as the API.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <cstdio>

#include "cli/cli.h"

namespace minato::cli {

namespace json = boost::json;

void add_user(CLI::App& app) {
  auto* user = app.add_subcommand("user", "Manage users");
  user->require_subcommand(1);
  auto* add = user->add_subcommand("add", "Create a user with a password and a TOTP secret");
  struct Opts {
    std::string data, username, password_file;
    std::vector<std::string> roles;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  add->add_option("--data", o->data, "Data directory")->required();
  add->add_option("--username", o->username, "User name")->required();
  add->add_option("--role", o->roles,
                  "Role (repeat for several): security_admin, planner, "
                  "gate_clerk, viewer")
      ->required();
  add->add_option("--password-file", o->password_file, "File holding the password")->required();
  add->add_flag("--json", o->json, "Print the result as JSON");
  auto* unlock = user->add_subcommand("unlock", "End a login lock and clear failure counts");
  auto u = std::make_shared<Opts>();
  unlock->add_option("--data", u->data, "Data directory")->required();
  unlock->add_option("--username", u->username, "User name")->required();
  unlock->callback([u] {
    auto rt = app::Runtime::open(u->data);
    if (!rt) throw CLI::RuntimeError(report(rt.error()));
    auto st = (*rt)->identity().unlock(access::Actor::local_operator(), u->username);
    if (!st) throw CLI::RuntimeError(report(st.error()));
    std::printf("Unlocked %s.\n", u->username.c_str());
  });

  auto* offboard = user->add_subcommand(
      "offboard", "Disable an account and end its sessions at once (a leaver: G2.1.1-k)");
  auto off = std::make_shared<Opts>();
  auto reason = std::make_shared<std::string>();
  offboard->add_option("--data", off->data, "Data directory")->required();
  offboard->add_option("--username", off->username, "User name")->required();
  offboard->add_option("--reason", *reason, "Why (recorded in the audit log)")->required();
  offboard->callback([off, reason] {
    auto rt = app::Runtime::open(off->data);
    if (!rt) throw CLI::RuntimeError(report(rt.error()));
    auto st = (*rt)->identity().disable(access::Actor::local_operator(), off->username, *reason);
    if (!st) throw CLI::RuntimeError(report(st.error()));
    std::printf("Disabled %s.\n", off->username.c_str());
  });

  auto* enable = user->add_subcommand("enable", "Enable a disabled account again");
  auto en = std::make_shared<Opts>();
  enable->add_option("--data", en->data, "Data directory")->required();
  enable->add_option("--username", en->username, "User name")->required();
  enable->callback([en] {
    auto rt = app::Runtime::open(en->data);
    if (!rt) throw CLI::RuntimeError(report(rt.error()));
    auto st = (*rt)->identity().enable(access::Actor::local_operator(), en->username);
    if (!st) throw CLI::RuntimeError(report(st.error()));
    std::printf("Enabled %s.\n", en->username.c_str());
  });

  auto* sweep = user->add_subcommand(
      "sweep", "Disable accounts unused for login.inactive_days (G2.2.2-g); serve runs it hourly");
  auto sw = std::make_shared<Opts>();
  sweep->add_option("--data", sw->data, "Data directory")->required();
  sweep->callback([sw] {
    auto rt = app::Runtime::open(sw->data);
    if (!rt) throw CLI::RuntimeError(report(rt.error()));
    auto done = (*rt)->identity().sweep_inactive(access::Actor::local_operator(),
                                                 (*rt)->config().inactive_days);
    if (!done) throw CLI::RuntimeError(report(done.error()));
    std::printf("Disabled %zu account(s) unused for %d days.\n", done->size(),
                (*rt)->config().inactive_days);
    for (const auto& name : *done) std::printf("  %s\n", name.c_str());
  });

  add->callback([o] {
    auto pw = read_secret_file(o->password_file);
    if (!pw) throw CLI::RuntimeError(report(pw.error()));
    auto rt = app::Runtime::open(o->data);
    if (!rt) throw CLI::RuntimeError(report(rt.error()));
    auto created = (*rt)->identity().create_user(access::Actor::local_operator(),
                                                 {o->username, *pw, o->roles});
    if (!created) throw CLI::RuntimeError(report(created.error()));
    if (o->json) {
      std::printf("%s\n", json::serialize(json::object{{"username", created->username},
                                                       {"totp_secret", created->totp_secret_base32},
                                                       {"otpauth_uri", created->otpauth_uri}})
                              .c_str());
    } else {
      std::printf("Created user %s. TOTP secret (shown once): %s\n%s\n", created->username.c_str(),
                  created->totp_secret_base32.c_str(),
                  qr_for_terminal(created->otpauth_uri).c_str());
    }
  });
}

}  // namespace minato::cli
