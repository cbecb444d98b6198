#include "cli/cli.h"
#include "common/qr.h"

#include <unistd.h>
#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <cstdio>

#include "common/files.h"
#include "common/request_context.h"
#include "common/version.h"
#include "crypto/random.h"

namespace minato::cli {

namespace {
bool json_requested = false;  // --json was given: errors go to stdout as JSON too

void print_json_error(std::string_view code, const std::string& message, std::string_view field,
                      int exit) {
  boost::json::object err{{"code", code}, {"message", message}, {"exit", exit}};
  if (!field.empty()) err["field"] = field;
  std::printf("%s\n", boost::json::serialize(boost::json::object{{"error", err}}).c_str());
  std::fflush(stdout);
}
}  // namespace

int report(const Error& e) {
  std::fprintf(stderr, "minato: %s\n", e.message().c_str());
  const int code = exit_code(e.code());
  if (json_requested) print_json_error(to_string(e.code()), e.message(), e.field(), code);
  return code;
}

void print_result(bool json, const boost::json::object& result, const std::string& text) {
  if (json) {
    std::printf("%s\n", boost::json::serialize(result).c_str());
  } else {
    std::fputs(text.c_str(), stdout);
  }
}

std::string counted(int64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string secret_or_die(const std::string& path, const char* flag) {
  if (path.empty()) die(Error(ErrorCode::kInvalidArgument, std::string(flag) + " is required"));
  auto s = read_secret_file(path);
  if (!s) die(s.error());
  return *s;
}

Result<std::string> read_secret_file(const std::string& path) {
  auto text = read_file(path, 4096);
  if (!text) return fail(text.error());
  std::string s = std::move(*text);
  if (!s.empty() && s.back() == '\n') s.pop_back();
  if (!s.empty() && s.back() == '\r') s.pop_back();
  return s;
}

std::string qr_for_terminal(const std::string& text) { return qr_terminal(text); }

void die(const Error& e) { throw CLI::RuntimeError(report(e)); }

int run(int argc, char** argv) {
  CLI::App app{"Minato: a container terminal operating system, secure by design", "minato"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "minato " + std::string(kMinatoVersion));
  add_init(app);
  add_serve(app);
  add_demo(app);
  add_audit(app);
  add_user(app);
  add_layout(app);
  add_edi(app);
  add_backup_commands(app);
  add_scanner(app);
  add_incident(app);
  add_asset(app);
  add_software(app);
  add_vuln(app);
  add_config(app);
  add_key(app);
  add_compliance(app);
  add_migration(app);
  // G2.7.3-a: what the CLI does is audited as the host account that ran it, with an id for
  // this invocation.
  (void)crypto::init();
  current_request() = {"cli-" + crypto::random_token(8), "host:uid=" + std::to_string(::getuid())};
  for (int i = 1; i < argc; ++i)
    json_requested = json_requested || std::string_view(argv[i]) == "--json";
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();  // a subcommand finished; its code
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    if (json_requested) print_json_error("usage", e.what(), "", 64);
    return 64;  // EX_USAGE
  }
  return 0;
}

std::unique_ptr<app::Runtime> open_runtime(const std::string& data) {
  auto rt = app::Runtime::open(data);
  if (!rt) die(rt.error());
  return std::move(*rt);
}

}  // namespace minato::cli
