// The `minato` command line: one binary, subcommands in the style of vault/consul —
// `--help` everywhere, `--json` for scripts, exit codes from common/result.h's exit_code().
#pragma once

#include <string>

#include "app/runtime.h"
#include "app/setup.h"
#include "common/result.h"
#include "config/config.h"

namespace CLI {
class App;
}
namespace boost::json {
class object;
}

namespace minato::cli {

int run(int argc, char** argv);

// Subcommand registration (one file each).
void add_init(CLI::App& app);
void add_serve(CLI::App& app);
void add_demo(CLI::App& app);
void add_audit(CLI::App& app);
void add_user(CLI::App& app);
void add_layout(CLI::App& app);
void add_edi(CLI::App& app);
void add_backup_commands(CLI::App& app);  // backup, restore, vault
void add_scanner(CLI::App& app);
void add_incident(CLI::App& app);
void add_asset(CLI::App& app);
void add_software(CLI::App& app);  // sbom, software, release, upgrade
void add_vuln(CLI::App& app);
void add_config(CLI::App& app);      // configuration control
void add_key(CLI::App& app);         // the key inventory
void add_migration(CLI::App& app);   // export, import, decommission
void add_compliance(CLI::App& app);  // the compliance register and report

// Shared helpers.
// Prints "minato: <message>" to stderr and returns the exit code for the error. With --json
// on the command line it also prints {"error": {"code", "message", "field", "exit"}} on
// stdout, so that a script reading stdout sees the failure as JSON too.
int report(const Error& e);
// Reports `e` (as report() does) and ends the command with its exit code.
[[noreturn]] void die(const Error& e);
// Opens the data directory `data`, or dies with the reason.
std::unique_ptr<app::Runtime> open_runtime(const std::string& data);
// Prints a command's result: `result` as one line of JSON when `json`, else `text` as it is.
void print_result(bool json, const boost::json::object& result, const std::string& text);
// "1 unit", "2 units": a count with its noun in the right number.
std::string counted(int64_t n, const char* one, const char* many);
// Reads a secret from a file (one line; a trailing newline is dropped).
Result<std::string> read_secret_file(const std::string& path);
// The same for a required flag: dies naming `flag` when `path` is empty or unreadable.
std::string secret_or_die(const std::string& path, const char* flag);
// Renders `text` as a QR code for a terminal (Unicode half blocks).
std::string qr_for_terminal(const std::string& text);

// Adds --listen, --management-listen and --vault-listen to `cmd`: each replaces its setting
// (config::apply_listeners). `effect` says what they do for this command ("in minato.toml",
// "for this run").
void add_listen_options(CLI::App* cmd, config::Listeners* o, const std::string& effect);

// Serves `runtime` until SIGTERM/SIGINT; `listen` replaces the listeners for this run (not in
// minato.toml; "127.0.0.1:0" picks a free port, printed at start).
Status serve(app::Runtime& runtime, const config::Listeners& listen);

}  // namespace minato::cli
