// `minato user add`: enrol a user at the server's console (the local operator holds the data
// directory). Goes through the same write path and audit as the API.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <cstdio>
#include <functional>
#include <memory>

#include "app/views.h"
#include "cli/cli.h"

namespace minato::cli {

namespace json = boost::json;

namespace {

// Registers `minato user NAME --data DIR --username USER`, which runs `act` as the local
// operator (through the services, so audited) and prints "DONE USER.".
CLI::App* add_account_action(CLI::App* user, const char* name, const char* help, const char* done,
                             std::function<Status(app::Runtime&, const std::string&)> act) {
  auto* cmd = user->add_subcommand(name, help);
  struct Opts {
    std::string data, username;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--data", o->data, "Data directory")->required();
  cmd->add_option("--username", o->username, "User name")->required();
  cmd->add_flag("--json", o->json, "Print the result as JSON");
  cmd->callback([o, act = std::move(act), done, name] {
    auto rt = app::Runtime::open(o->data);
    if (!rt) throw CLI::RuntimeError(report(rt.error()));
    auto st = act(**rt, o->username);
    if (!st) throw CLI::RuntimeError(report(st.error()));
    print_result(o->json, json::object{{"username", o->username}, {"done", name}},
                 std::string(done) + " " + o->username + ".\n");
  });
  return cmd;
}

void print_enrolment(app::Runtime& rt, const app::CreatedUser& c, bool as_json) {
  json::object v = app::enrolment_view(rt.config().webauthn_origin, c);
  if (as_json) {
    std::printf("%s\n", json::serialize(v).c_str());
    return;
  }
  const std::string api(v.at("enrolment_api").as_string());
  const std::string link(v.at("enrolment_link").as_string());
  std::printf(
      "Enrolment token for %s (one use, until %s). Hand it to its owner in person or by a\n"
      "separate channel:\n  %s\n"
      "The owner opens the console's enrolment page with it:\n  %s\n"
      "or, without a browser, chooses a password and receives the TOTP secret (shown once) with\n"
      "  curl --cacert %s -H 'Content-Type: application/json' --data-binary @- \\\n"
      "    %s\n"
      "typing {\"token\":\"%s\",\"password\":\"...\"} and then Ctrl-D (so that the\n"
      "password is in no command line and no shell history).\n"
      "(%s is webauthn.origin in minato.toml: where users reach this server.)\n",
      c.username.c_str(), format_utc(c.enrolment_expires_us).c_str(), c.enrolment_token.c_str(),
      link.c_str(), rt.paths().resolve(rt.config().tls_cert).c_str(), api.c_str(),
      c.enrolment_token.c_str(), rt.config().webauthn_origin.c_str());
}

}  // namespace

void add_user(CLI::App& app) {
  auto* user = app.add_subcommand("user", "Manage users");
  user->require_subcommand(1);
  auto* add = user->add_subcommand("add", "Create a user with a password and a TOTP secret");
  struct Opts {
    std::string data, username, password_file, allow_from, window, valid_until, scope, email;
    std::vector<std::string> roles;
    bool json = false;
    bool enrol = false;
  };
  auto o = std::make_shared<Opts>();
  add->add_option("--data", o->data, "Data directory")->required();
  add->add_flag("--enrol", o->enrol,
                "No password: print a one-time enrolment link for the owner instead "
                "(G2.1.1-d/i; expires after login.enrolment_hours)");
  add->add_option("--username", o->username, "User name")->required();
  std::string role_names;
  for (auto r : access::all_roles())
    role_names += (role_names.empty() ? "" : ", ") + std::string(r);
  add->add_option("--role", o->roles,
                  "Role (repeat for several; administrative and operational roles do not mix): " +
                      role_names)
      ->required();
  add->add_option("--window", o->window,
                  "When the account may log in, in the terminal's local time "
                  "(e.g. \"mon-fri 07:00-19:00\"); default any time");
  add->add_option("--valid-until", o->valid_until,
                  "The account stops working at this UTC time (2026-12-31T00:00:00Z)");
  add->add_option("--scope", o->scope,
                  "Required for API clients: a line_client's line operator code, a "
                  "haulier_client's haulier code");
  add->add_option("--email", o->email,
                  "Where the user's security notices go (logins from new sources, G2.1.1-f)");
  add->add_option("--password-file", o->password_file, "File holding the password");
  add->add_option("--allow-from", o->allow_from,
                  "Source addresses the account may be used from, as a CIDR list "
                  "(e.g. \"192.0.2.7,10.20.0.0/16\"); default any (G2.1.1-a)");
  add->add_flag("--json", o->json, "Print the result as JSON");
  add_account_action(user, "unlock", "End a login lock and clear failure counts", "Unlocked",
                     [](app::Runtime& rt, const std::string& name) {
                       return rt.identity().unlock(access::Actor::local_operator(), name);
                     });
  auto reason = std::make_shared<std::string>();
  auto* offboard = add_account_action(
      user, "offboard", "Disable an account and end its sessions at once (a leaver: G2.1.1-k)",
      "Disabled", [reason](app::Runtime& rt, const std::string& name) {
        return rt.identity().disable(access::Actor::local_operator(), name, *reason);
      });
  offboard->add_option("--reason", *reason, "Why (recorded in the audit log)")->required();
  auto* reset = user->add_subcommand(
      "reset",
      "Clear every credential of an account at once and print an enrolment link (G2.1.2-b)");
  auto ro = std::make_shared<Opts>();
  auto reset_reason = std::make_shared<std::string>();
  reset->add_option("--data", ro->data, "Data directory")->required();
  reset->add_option("--username", ro->username, "User name")->required();
  reset->add_option("--reason", *reset_reason, "Why (recorded in the audit log)")->required();
  reset->add_flag("--json", ro->json, "Print the result as JSON");
  reset->callback([ro, reset_reason] {
    auto rt = app::Runtime::open(ro->data);
    if (!rt) throw CLI::RuntimeError(report(rt.error()));
    auto r = (*rt)->identity().reset_credentials(access::Actor::local_operator(), ro->username,
                                                 *reset_reason);
    if (!r) throw CLI::RuntimeError(report(r.error()));
    print_enrolment(**rt, *r, ro->json);
  });
  add_account_action(user, "enable", "Enable a disabled account again", "Enabled",
                     [](app::Runtime& rt, const std::string& name) {
                       return rt.identity().enable(access::Actor::local_operator(), name);
                     });

  auto* sweep = user->add_subcommand(
      "sweep", "Disable accounts unused for login.inactive_days (G2.2.2-g); serve runs it hourly");
  auto sw = std::make_shared<Opts>();
  sweep->add_option("--data", sw->data, "Data directory")->required();
  sweep->add_flag("--json", sw->json, "Print the result as JSON");
  sweep->callback([sw] {
    auto rt = app::Runtime::open(sw->data);
    if (!rt) throw CLI::RuntimeError(report(rt.error()));
    const int days = (*rt)->config().inactive_days;
    auto done = (*rt)->identity().sweep_inactive(access::Actor::local_operator(), days);
    if (!done) throw CLI::RuntimeError(report(done.error()));
    json::array names;
    std::string text = "Disabled " +
                       counted(static_cast<int64_t>(done->size()), "account", "accounts") +
                       " unused for " + counted(days, "day", "days") + ".\n";
    for (const auto& name : *done) {
      names.push_back(json::value(name));
      text += "  " + name + "\n";
    }
    print_result(sw->json, json::object{{"disabled", names}, {"inactive_days", days}}, text);
  });

  add->callback([o] {
    if (o->enrol == !o->password_file.empty()) {
      throw CLI::ValidationError("--password-file", "give either --password-file or --enrol");
    }
    std::string password;
    if (!o->enrol) {
      auto pw = read_secret_file(o->password_file);
      if (!pw) throw CLI::RuntimeError(report(pw.error()));
      password = *pw;
    }
    auto rt = app::Runtime::open(o->data);
    if (!rt) throw CLI::RuntimeError(report(rt.error()));
    int64_t valid_until = 0;
    if (!o->valid_until.empty() && !parse_utc(o->valid_until, &valid_until)) {
      throw CLI::ValidationError("--valid-until", "must be a UTC time like 2026-12-31T00:00:00Z");
    }
    app::NewUser spec(o->username, password, o->roles, o->allow_from);
    spec.enrolment_link = o->enrol;
    spec.login_window = o->window;
    spec.valid_until_us = valid_until;
    spec.scope = o->scope;
    spec.email = o->email;
    auto created = (*rt)->identity().create_user(access::Actor::local_operator(), spec);
    if (!created) throw CLI::RuntimeError(report(created.error()));
    if (o->enrol) {
      print_enrolment(**rt, *created, o->json);
      return;
    }
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
